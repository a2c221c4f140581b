// The plain-C++ stages: ranking and stop rules.
#include <gtest/gtest.h>

#include "adapt/ranking.h"
#include "adapt/stop_rules.h"
#include "framework/error.h"

namespace gos::adapt {
namespace {

TEST(Ranking, TheScoreIsReplaceableAndOrdersOnlyEligibleKinds) {
  std::vector<SlotRecord> slots = {{"conv1", "conv3x3", 1.0, 0, 0, 100},
                                   {"bn1", "batchnorm", 5.0, 0, 0, 10},
                                   {"layer1.conv", "conv3x3", 2.0, 0, 0, 100},
                                   {"dw", "dwconv3x3", 2.0, 0, 0, 10}};
  // Latency per parameter: equal latency, fewer parameters ranks first.
  const InefficiencyScore per_parameter = [](const std::vector<double>& latency, const std::vector<int64_t>& params) {
    std::vector<double> scores;
    for (size_t i = 0; i < latency.size(); ++i) scores.push_back(latency[i] / static_cast<double>(params[i]));
    return scores;
  };
  score_slots(slots, per_parameter);
  std::vector<SlotRecord> order = search_order(slots, {"conv", "dwconv"});
  ASSERT_EQ(order.size(), 3u);     // the batch norm is not eligible
  EXPECT_EQ(order[0].path, "dw");  // equal latency, more time per parameter
  EXPECT_EQ(order[1].path, "layer1.conv");
  EXPECT_NEAR(slots[1].share, 0.5, 1e-12);

  // A score that prefers the fewest parameters reverses the order of the convolutions.
  score_slots(slots, [](const std::vector<double>&, const std::vector<int64_t>& params) {
    std::vector<double> scores;
    for (int64_t p : params) scores.push_back(-static_cast<double>(p));
    return scores;
  });
  order = search_order(slots, {"conv"});
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(order[0].path, "conv1");  // equal scores keep execution order
  EXPECT_THROW(score_slots(slots, [](const auto&, const auto&) { return std::vector<double>{}; }), Error);
}

TEST(StopRules, MaxModifiedPatienceAndTimeBudget) {
  const StopRules rules{2, 2, 1.0};
  LoopProgress progress;
  EXPECT_FALSE(stop_reason(rules, progress, 0));
  progress.count(IterationStatus::kNoGain);
  progress.count(IterationStatus::kUnsupported);  // costs no patience
  EXPECT_FALSE(stop_reason(rules, progress, 0));
  progress.count(IterationStatus::kRejected);
  EXPECT_NE(stop_reason(rules, progress, 0)->find("patience"), std::string::npos);
  progress.count(IterationStatus::kAccepted);  // resets patience
  EXPECT_FALSE(stop_reason(rules, progress, 59));
  EXPECT_NE(stop_reason(rules, progress, 61)->find("time budget"), std::string::npos);
  progress.count(IterationStatus::kAccepted);
  EXPECT_EQ(*stop_reason(rules, progress, 0), "2 replacements made (max_modified)");
}

}  // namespace
}  // namespace gos::adapt
