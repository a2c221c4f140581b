#include "framework/text.h"

#include <gtest/gtest.h>

namespace gos {
namespace {

TEST(Text, EditDistance) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("population", "populaton"), 1u);
}

TEST(Text, ClosestMatchSuggestsTyposOnly) {
  const std::vector<std::string> keys = {"population", "generations", "crossover_probability"};
  EXPECT_EQ(closest_match("populaton", keys), "population");
  EXPECT_EQ(closest_match("generation", keys), "generations");
  EXPECT_EQ(closest_match("zzz", keys), "");
  EXPECT_EQ(did_you_mean("populaton", keys), "; did you mean 'population'?");
  EXPECT_EQ(did_you_mean("zzz", keys), "");
}

}  // namespace
}  // namespace gos
