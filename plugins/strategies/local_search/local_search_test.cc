#include "plugins/strategies/local_search/local_search.h"

#include <gtest/gtest.h>

#include <set>

#include "framework/pareto.h"
#include "plugins/strategies/operators/strategy_driver.h"

namespace gos {
namespace {

testproblems::TestProblemSpace zdt1(size_t dimensions) {
  testproblems::TestProblemConfig config;
  config.dimensions = dimensions;
  return testproblems::TestProblemSpace(config);
}

TEST(LocalSearch, ArchiveIsExactlyTheNonDominatedSetOfEverythingEvaluated) {
  const auto space = zdt1(5);
  LocalSearch search({.evaluations = 600, .neighbours = 10});
  const auto result = testing::drive(search, space, Rng(3));
  ASSERT_EQ(result.evaluated.size(), 600u);
  // Reference: the framework's archive over all evaluations (it keeps equal
  // points, local search keeps one of them, so compare objective vectors).
  ParetoArchive reference;
  for (size_t i = 0; i < result.evaluated.size(); ++i)
    reference.offer(i, result.evaluated[i].objectives, result.evaluated[i].violation);
  std::set<std::vector<double>> expected, actual;
  for (size_t id : reference.ids()) expected.insert(result.evaluated[id].objectives);
  for (const auto& member : search.archive()) actual.insert(member.evaluated.objectives);
  EXPECT_EQ(actual, expected);
}

TEST(LocalSearch, DescendsFromItsRandomStart) {
  // Exploring neighbours must find better f2 than the random starting point.
  const auto space = zdt1(5);
  LocalSearch search({.evaluations = 400, .neighbours = 8});
  const auto result = testing::drive(search, space, Rng(5));
  double best_g = 1e9;
  for (const auto& member : search.archive()) best_g = std::min(best_g, member.evaluated.objectives[1]);
  EXPECT_LT(best_g, result.evaluated.front().objectives[1]);
}

TEST(LocalSearch, IsReproducibleAndRespectsTheBudget) {
  const auto space = zdt1(4);
  auto run = [&](uint64_t seed) {
    LocalSearch search({.evaluations = 53, .neighbours = 7});
    std::vector<std::string> genomes;
    for (const auto& item : testing::drive(search, space, Rng(seed)).evaluated)
      genomes.push_back(space.serialize(*item.genome));
    return genomes;
  };
  EXPECT_EQ(run(2).size(), 53u);
  EXPECT_EQ(run(2), run(2));
  EXPECT_NE(run(2), run(3));
}

TEST(LocalSearch, FailedEvaluationsNeverEnterTheArchiveAndTheSearchRestarts) {
  const auto space = zdt1(4);
  LocalSearch search({.evaluations = 30, .neighbours = 5});
  // Every evaluation fails: the archive stays empty and each ask restarts.
  const auto result = testing::drive(search, space, Rng(1), nullptr, [](size_t) { return true; });
  EXPECT_EQ(result.evaluated.size(), 30u);
  EXPECT_TRUE(search.archive().empty());
}

}  // namespace
}  // namespace gos
