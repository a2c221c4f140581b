#include "plugins/strategies/operators/operators.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "framework/error.h"
#include "searchspaces/testproblems/test_problems.h"

namespace gos::operators {
namespace {

Ranking distinct_ranks(size_t n) {
  Ranking ranking;
  for (size_t i = 0; i < n; ++i) {
    ranking.rank.push_back(i);
    ranking.crowding.push_back(0);
  }
  return ranking;
}

TEST(BinaryTournament, SelectionFrequenciesMatchTheTheory) {
  // With distinct ranks, member i wins when drawn (2 / n) against a worse
  // member ((n - 1 - i) / (n - 1)): P(i) = 2 (n - 1 - i) / (n (n - 1)).
  const size_t n = 5, draws = 200000;
  const Ranking ranking = distinct_ranks(n);
  Rng rng(17);
  std::vector<double> counts(n, 0);
  for (size_t k = 0; k < draws; ++k) ++counts[select_parent(Selection::kBinaryTournament, ranking, rng)];
  double chi_square = 0;
  for (size_t i = 0; i < n; ++i) {
    const double expected = draws * 2.0 * static_cast<double>(n - 1 - i) / static_cast<double>(n * (n - 1));
    if (expected == 0) {
      EXPECT_EQ(counts[i], 0) << "the worst member can never win a tournament";
      continue;
    }
    chi_square += (counts[i] - expected) * (counts[i] - expected) / expected;
  }
  // 3 degrees of freedom: P(chi2 > 16.27) = 0.001.
  EXPECT_LT(chi_square, 16.27);
}

TEST(BinaryTournament, CrowdingBreaksRankTies) {
  Ranking ranking{{0, 0}, {1.0, 2.0}};
  Rng rng(3);
  for (int k = 0; k < 100; ++k) EXPECT_EQ(select_parent(Selection::kBinaryTournament, ranking, rng), 1u);
}

TEST(ShuffledTournament, EveryMemberPlaysTwiceInEachRoundOfParents) {
  // n parents from n members with distinct ranks: each member meets two
  // opponents, so the best wins exactly twice, the worst never, and a member
  // never wins more than twice.
  const size_t n = 10;
  const Ranking ranking = distinct_ranks(n);
  Rng rng(5);
  for (int round = 0; round < 50; ++round) {
    ParentSelector parents(Selection::kShuffledTournament, ranking);
    std::vector<int> wins(n, 0);
    for (size_t k = 0; k < n; ++k) ++wins[parents.next(rng)];
    EXPECT_EQ(wins[0], 2);
    EXPECT_EQ(wins[n - 1], 0);
    for (int w : wins) EXPECT_LE(w, 2);
  }
}

TEST(ShuffledTournament, ExactTiesAreBrokenAtRandomAndOtherSelectionsPassThrough) {
  const Ranking tied{{0, 0}, {1.0, 1.0}};
  Rng rng(9);
  ParentSelector parents(Selection::kShuffledTournament, tied);
  int first = 0;
  for (int k = 0; k < 2000; ++k) first += parents.next(rng) == 0;
  EXPECT_NEAR(first, 1000, 150);  // ~7 standard deviations
  // The same stream as select_parent for the stateless selections.
  const Ranking ranking = distinct_ranks(6);
  Rng a(4), b(4);
  ParentSelector random(Selection::kRandom, ranking);
  for (int k = 0; k < 100; ++k) EXPECT_EQ(random.next(a), select_parent(Selection::kRandom, ranking, b));
  EXPECT_EQ(parse_selection("shuffled_tournament"), Selection::kShuffledTournament);
}

TEST(RandomSelection, IsUniform) {
  const Ranking ranking = distinct_ranks(4);
  Rng rng(8);
  std::vector<double> counts(4, 0);
  const size_t draws = 100000;
  for (size_t k = 0; k < draws; ++k) ++counts[select_parent(Selection::kRandom, ranking, rng)];
  double chi_square = 0;
  for (double c : counts) chi_square += (c - draws / 4.0) * (c - draws / 4.0) / (draws / 4.0);
  EXPECT_LT(chi_square, 16.27);
}

// The reference survival: whole fronts while they fit, then the overflowing
// front's members in decreasing crowding order, written out directly from
// the naive sort.
std::set<size_t> reference_survival(moo::Points points, std::span<const double> violations, size_t count) {
  std::set<size_t> kept;
  for (const auto& front : moo::naive_nondominated_sort(points, violations)) {
    if (kept.size() + front.size() <= count) {
      kept.insert(front.begin(), front.end());
      continue;
    }
    const auto distance = moo::crowding_distance(points, front);
    std::vector<std::pair<double, size_t>> by_distance;
    for (size_t k = 0; k < front.size(); ++k) by_distance.push_back({-distance[k], front[k]});
    std::sort(by_distance.begin(), by_distance.end());
    for (size_t k = 0; kept.size() < count; ++k) kept.insert(by_distance[k].second);
    break;
  }
  return kept;
}

TEST(RankCrowdingSurvival, MatchesTheReferenceOnRandomPopulations) {
  Rng rng(41);
  for (int trial = 0; trial < 500; ++trial) {
    const size_t m = 2 + rng.index(3);
    const size_t n = rng.index(80);
    std::vector<double> values(n * m), violations(n);
    for (double& v : values) v = rng.uniform01();
    for (double& v : violations) v = rng.bernoulli(0.8) ? 0 : rng.uniform01();
    const size_t count = n ? rng.index(n + 1) : 0;
    const moo::Points points{values, m};
    const auto survivors = rank_crowding_survival(points, violations, count);
    ASSERT_EQ(std::set<size_t>(survivors.begin(), survivors.end()), reference_survival(points, violations, count));
    ASSERT_TRUE(std::is_sorted(survivors.begin(), survivors.end()));
  }
}

TEST(Offspring, CountDeterminismAndValidity) {
  testproblems::TestProblemConfig config;
  config.dimensions = 5;
  const testproblems::TestProblemSpace space(config);
  const StrategyContext context{&space, space.default_mutator(), 2};
  Rng rng(1);
  std::vector<EvaluatedGenome> population;
  for (auto& genome : sample(space, 6, rng))
    population.push_back({genome, {rng.uniform01(), rng.uniform01()}, 0, false});
  const Ranking ranking = rank_and_crowd(population);
  auto make = [&](uint64_t seed) {
    Rng r(seed);
    std::vector<std::string> texts;
    for (const auto& child : make_offspring(population, ranking, 7, Selection::kBinaryTournament, {}, context, r))
      texts.push_back(space.serialize(*child));
    return texts;
  };
  const auto a = make(5);
  EXPECT_EQ(a.size(), 7u);  // odd counts drop the last pair's second child
  EXPECT_EQ(a, make(5));
  EXPECT_NE(a, make(6));
  for (const auto& text : a) EXPECT_NO_THROW(space.deserialize(text));
}

TEST(Context, RejectsWhatTheStrategyCannotRun) {
  testproblems::TestProblemConfig config;
  const testproblems::TestProblemSpace space(config);
  EXPECT_THROW(check_context({&space, space.default_mutator(), 0}, "nsga2", 0.9), Error);
  EXPECT_THROW(check_context({nullptr, space.default_mutator(), 2}, "nsga2", 0.9), Error);
  EXPECT_NO_THROW(check_context({&space, space.default_mutator(), 2}, "nsga2", 0.9));
  EXPECT_THROW(parse_selection("roulette"), Error);
}

TEST(ObjectiveTable, RejectsRaggedPopulations) {
  std::vector<EvaluatedGenome> population = {{nullptr, {1, 2}, 0, false}, {nullptr, {1}, 0, false}};
  EXPECT_THROW(objective_table(population), Error);
}

}  // namespace
}  // namespace gos::operators
