#include "searchspaces/mlp_hparams/mlp_hparams_space.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "framework/error.h"

namespace gos {
namespace {

TEST(MlpHparamsSpace, SerializeRoundTripsAndNamesBadText) {
  const MlpHparamsSpace space({});
  Rng rng(1);
  for (int i = 0; i < 50; ++i) {
    const GenomePtr genome = space.sample(rng);
    const std::string text = space.serialize(*genome);
    EXPECT_EQ(space.serialize(*space.deserialize(text)), text);
  }
  EXPECT_EQ(space.serialize(*space.deserialize("width=64,depth=2,learning_rate=0.003")),
            "width=64,depth=2,learning_rate=0.003");
  const MlpSettings s = space.settings(*space.deserialize("width=64,depth=2,learning_rate=0.003"));
  EXPECT_EQ(s.hidden(), (std::vector<int64_t>{64, 64}));
  EXPECT_DOUBLE_EQ(s.learning_rate, 0.003);
  for (const char* bad : {"width=64,depth=2", "width=65,depth=2,learning_rate=0.003",
                          "depth=2,width=64,learning_rate=0.003", "width=64,depth=x,learning_rate=0.003"})
    EXPECT_THROW(space.deserialize(bad), Error) << bad;
}

TEST(MlpHparamsSpace, SamplesEveryConfigurationUniformly) {
  const MlpHparamsSpace space({.widths = {8, 16}, .depths = {1, 2, 3}, .learning_rates = {0.01, 0.1}});
  ASSERT_EQ(space.size(), 12u);
  Rng rng(3);
  std::map<std::string, int> counts;
  const int draws = 12000;
  for (int i = 0; i < draws; ++i) ++counts[space.serialize(*space.sample(rng))];
  ASSERT_EQ(counts.size(), 12u);
  double chi2 = 0;
  for (const auto& [text, count] : counts) chi2 += (count - 1000.0) * (count - 1000.0) / 1000.0;
  EXPECT_LT(chi2, 31.26);  // chi-square, 11 degrees of freedom, p = 0.001
}

TEST(MlpHparamsSpace, MutationChangesExactlyOneGeneAndCrossoverMixesParents) {
  const MlpHparamsSpace space({});
  Rng rng(5);
  for (int i = 0; i < 200; ++i) {
    const GenomePtr parent = space.sample(rng);
    const auto child = space.default_mutator()->mutate(space, *parent, rng);
    const auto& a = dynamic_cast<const MlpHparams&>(*parent).index;
    const auto& b = dynamic_cast<const MlpHparams&>(*child).index;
    int changed = 0;
    for (size_t d = 0; d < 3; ++d) changed += a[d] != b[d] ? 1 : 0;
    EXPECT_EQ(changed, 1);
  }
  const GenomePtr x = space.deserialize("width=16,depth=1,learning_rate=0.001");
  const GenomePtr y = space.deserialize("width=256,depth=4,learning_rate=0.1");
  const auto [c, d] = space.crossover(*x, *y, rng);
  const auto& ci = dynamic_cast<const MlpHparams&>(*c).index;
  const auto& di = dynamic_cast<const MlpHparams&>(*d).index;
  for (size_t k = 0; k < 3; ++k) EXPECT_EQ(ci[k] + di[k], dynamic_cast<const MlpHparams&>(*y).index[k]);
}

TEST(MlpHparamsSpace, RejectsEmptyRepeatedOrNonPositiveLists) {
  EXPECT_THROW(MlpHparamsSpace({.widths = {}}), Error);
  EXPECT_THROW(MlpHparamsSpace({.widths = {8, 8}}), Error);
  EXPECT_THROW(MlpHparamsSpace({.depths = {0, 1}}), Error);
  EXPECT_THROW(MlpHparamsSpace({.learning_rates = {-0.1}}), Error);
}

}  // namespace
}  // namespace gos
