#include "plugins/latency/core/data_split.h"

#include <gtest/gtest.h>

#include "framework/error.h"

namespace gos {
namespace {

TEST(DataSplit, PercentagesCutConsecutivePartsLikeNasPerformanceEstimation) {
  const DataSplit split = DataSplit::parse_percentages("70/15/15");
  size_t counts[3] = {0, 0, 0};
  for (size_t i = 0; i < 10001; ++i) ++counts[static_cast<int>(split.part(i, 10001))];
  EXPECT_EQ(counts[0], 7000u);  // floor(7000.7)
  EXPECT_EQ(counts[1], 1500u);  // floor(1500.15)
  EXPECT_EQ(counts[2], 1501u);
  EXPECT_EQ(split.part(6999, 10000), DataPart::kTrain);
  EXPECT_EQ(split.part(7000, 10000), DataPart::kValidation);
  EXPECT_EQ(split.part(8500, 10000), DataPart::kTest);
}

TEST(DataSplit, ShuffledPercentagesCutTheSameSizesFromASeededPermutation) {
  const DataSplit split = DataSplit::parse_percentages("70/15/15,shuffle=3");
  size_t counts[3] = {0, 0, 0}, late_test = 0;
  for (size_t i = 0; i < 10000; ++i) {
    const DataPart part = split.part(i, 10000);
    ++counts[static_cast<int>(part)];
    late_test += part == DataPart::kTest && i >= 8500 ? 1 : 0;
  }
  EXPECT_EQ(counts[0], 7000u);
  EXPECT_EQ(counts[1], 1500u);
  EXPECT_EQ(counts[2], 1500u);
  // Test rows come from the whole file: about 15% of the last 1,500 rows, not all of them
  // (binomial mean 225, sd 13.8; the bounds are 6 sd).
  EXPECT_GT(late_test, 142u);
  EXPECT_LT(late_test, 308u);
  // The same seed gives the same split; another seed another.
  const DataSplit again = DataSplit::parse_percentages("70/15/15,shuffle=3");
  const DataSplit other = DataSplit::parse_percentages("70/15/15,shuffle=4");
  size_t same = 0, differ = 0;
  for (size_t i = 0; i < 10000; ++i) {
    same += again.part(i, 10000) == split.part(i, 10000) ? 1 : 0;
    differ += other.part(i, 10000) != split.part(i, 10000) ? 1 : 0;
  }
  EXPECT_EQ(same, 10000u);
  EXPECT_GT(differ, 1000u);
  EXPECT_EQ(split.describe(), "random (seed 3) 70/15/15 train/validation/test");
  EXPECT_THROW(DataSplit::parse_percentages("70/15/15,shuffle=x"), Error);
  EXPECT_THROW(DataSplit::parse_percentages("70/15/15,shuffle="), Error);
}

TEST(DataSplit, HoldoutEveryKeepsTheOldRule) {
  const DataSplit split = DataSplit::holdout_every(5);
  EXPECT_EQ(split.part(0, 10), DataPart::kTest);
  EXPECT_EQ(split.part(4, 10), DataPart::kTrain);
  EXPECT_EQ(split.part(5, 10), DataPart::kTest);
  EXPECT_EQ(DataSplit::holdout_every(0).part(0, 10), DataPart::kTrain);
}

TEST(DataSplit, MalformedTextIsRefused) {
  for (const char* text : {"70/15", "70/20/15", "a/b/c", "0/50/50", "70/15/15x"})
    EXPECT_THROW(DataSplit::parse_percentages(text), Error) << text;
  EXPECT_THROW(parse_data_part("holdout"), Error);
  EXPECT_EQ(parse_data_part("validation"), DataPart::kValidation);
}

}  // namespace
}  // namespace gos
