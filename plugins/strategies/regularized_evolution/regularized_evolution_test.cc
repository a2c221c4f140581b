#include "plugins/strategies/regularized_evolution/regularized_evolution.h"

#include <gtest/gtest.h>

#include "framework/error.h"
#include "framework/moo/indicators.h"
#include "plugins/strategies/operators/strategy_driver.h"

namespace gos {
namespace {

testproblems::TestProblemSpace zdt1(size_t dimensions) {
  testproblems::TestProblemConfig config;
  config.dimensions = dimensions;
  return testproblems::TestProblemSpace(config);
}

// Hypervolume of everything evaluated, below a reference far enough out that
// early random samples count too.
double hypervolume_of(const std::vector<EvaluatedGenome>& evaluated) {
  std::vector<double> values;
  for (const auto& item : evaluated) values.insert(values.end(), item.objectives.begin(), item.objectives.end());
  return moo::hypervolume(moo::Points{values, 2}, std::vector<double>{1.1, 10.0});
}

TEST(RegularizedEvolution, TheOldestMemberDiesWhateverItsQuality) {
  const auto space = zdt1(5);
  RegularizedEvolution evolution({.population = 20, .sample_size = 5, .evaluations = 137, .batch = 7});
  const auto result = testing::drive(evolution, space, Rng(4));
  ASSERT_EQ(result.evaluated.size(), 137u);
  ASSERT_EQ(evolution.population().size(), 20u);
  // The living population is exactly the last 20 genomes told, oldest first.
  for (size_t i = 0; i < 20; ++i) EXPECT_EQ(evolution.population()[i].genome, result.evaluated[117 + i].genome);
}

TEST(RegularizedEvolution, BeatsRandomSamplingOnZdt1OverSeeds) {
  const auto space = zdt1(10);
  int wins = 0;
  for (uint64_t seed = 0; seed < 5; ++seed) {
    RegularizedEvolution evolution({.population = 50, .sample_size = 10, .evaluations = 2000, .batch = 10});
    const double evolved = hypervolume_of(testing::drive(evolution, space, Rng(seed)).evaluated);
    Rng rng(seed + 100);
    std::vector<EvaluatedGenome> random;
    for (const auto& genome : operators::sample(space, 2000, rng))
      random.push_back({genome,
                        testproblems::evaluate(testproblems::Problem::kZdt1,
                                               dynamic_cast<const testproblems::RealVector&>(*genome).values, 2),
                        0, false});
    wins += evolved > hypervolume_of(random) ? 1 : 0;
  }
  EXPECT_EQ(wins, 5);
}

TEST(RegularizedEvolution, IsReproducibleForASeed) {
  const auto space = zdt1(5);
  auto run = [&](uint64_t seed) {
    RegularizedEvolution evolution({.population = 10, .sample_size = 3, .evaluations = 80, .batch = 4});
    std::vector<std::string> genomes;
    for (const auto& item : testing::drive(evolution, space, Rng(seed)).evaluated)
      genomes.push_back(space.serialize(*item.genome));
    return genomes;
  };
  EXPECT_EQ(run(1), run(1));
  EXPECT_NE(run(1), run(2));
}

TEST(RegularizedEvolution, SurvivesFailedEvaluations) {
  const auto space = zdt1(5);
  RegularizedEvolution evolution({.population = 10, .sample_size = 3, .evaluations = 100, .batch = 5});
  const auto result = testing::drive(evolution, space, Rng(1), nullptr, [](size_t i) { return i % 3 == 0; });
  EXPECT_EQ(result.evaluated.size(), 100u);
}

TEST(RegularizedEvolution, RejectsASampleLargerThanThePopulation) {
  EXPECT_THROW(RegularizedEvolution({.population = 5, .sample_size = 6, .evaluations = 10, .batch = 1}), Error);
}

}  // namespace
}  // namespace gos
