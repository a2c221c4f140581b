#include "framework/moo/nondominated_sort.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "framework/error.h"
#include "framework/moo/divide_and_conquer_sort.h"
#include "framework/pareto.h"
#include "framework/rng.h"

namespace gos::moo {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Random values on a coarse grid so that ties and duplicates are common.
std::vector<double> random_values(Rng& rng, size_t n, size_t m, int levels) {
  std::vector<double> values(n * m);
  for (double& v : values) v = static_cast<double>(rng.uniform_int(0, levels - 1));
  return values;
}

TEST(NondominatedSort, MatchesNaiveSortOnThousandsOfRandomPopulations) {
  Rng rng(2024);
  for (int trial = 0; trial < 3000; ++trial) {
    const size_t m = std::vector<size_t>{1, 2, 3, 4, 5, 8}[rng.index(6)];
    const size_t n = rng.index(60);  // includes empty and single populations
    const int levels = rng.bernoulli(0.5) ? 4 : 1000;
    const auto values = random_values(rng, n, m, levels);
    std::vector<double> violations;
    if (rng.bernoulli(0.3))
      for (size_t i = 0; i < n; ++i)
        violations.push_back(rng.bernoulli(0.6) ? 0.0 : rng.bernoulli(0.1) ? kInf : rng.uniform_int(1, 3));
    const Points points{values, m};
    ASSERT_EQ(nondominated_sort(points, violations), naive_nondominated_sort(points, violations))
        << "trial " << trial << " n=" << n << " m=" << m;
  }
}

// Large enough populations that the divide and conquer recurses past its
// pairwise base cases in every objective (they stop at 24 points).
TEST(NondominatedSort, ManyObjectivesMatchNaiveSortOnLargerPopulations) {
  Rng rng(77);
  for (int trial = 0; trial < 300; ++trial) {
    const size_t m = 4 + rng.index(5);  // 4..8
    const size_t n = 50 + rng.index(450);
    const int levels = std::vector<int>{2, 3, 6, 1000000}[rng.index(4)];
    const auto values = random_values(rng, n, m, levels);
    std::vector<double> violations;
    if (rng.bernoulli(0.3))
      for (size_t i = 0; i < n; ++i) violations.push_back(rng.bernoulli(0.8) ? 0.0 : rng.bernoulli(0.2) ? kInf : 1.0);
    const Points points{values, m};
    ASSERT_EQ(nondominated_sort(points, violations), naive_nondominated_sort(points, violations))
        << "trial " << trial << " n=" << n << " m=" << m << " levels=" << levels;
  }
}

TEST(DivideAndConquerRanks, MatchNaiveRanksForTwoToEightObjectives) {
  Rng rng(31);
  for (int trial = 0; trial < 300; ++trial) {
    const size_t m = 2 + rng.index(7);
    const size_t n = rng.index(400);
    auto values = random_values(rng, n, m, rng.bernoulli(0.5) ? 5 : 1000000);
    for (double& v : values)
      if (rng.bernoulli(0.01)) v = kInf;  // a feasible point may still have an infinite objective
    const Points points{values, m};
    // A subset of the points, ranked among themselves.
    std::vector<size_t> members;
    for (size_t i = 0; i < n; ++i)
      if (rng.bernoulli(0.8)) members.push_back(i);
    std::vector<double> subset;
    for (size_t i : members) subset.insert(subset.end(), points[i].begin(), points[i].end());
    const Points subset_points{subset, m};
    const auto expected = ranks_of(naive_nondominated_sort(subset_points), members.size());
    ASSERT_EQ(divide_and_conquer_ranks(points, members), expected) << "trial " << trial << " n=" << n << " m=" << m;
  }
}

TEST(NondominatedSort, FrontsSatisfyTheDefinition) {
  Rng rng(5);
  const auto values = random_values(rng, 300, 3, 20);
  const Points points{values, 3};
  const Fronts fronts = nondominated_sort(points);
  const auto ranks = ranks_of(fronts, points.size());
  for (size_t i = 0; i < points.size(); ++i)
    for (size_t j = 0; j < points.size(); ++j)
      if (dominates(points[i], points[j])) {
        EXPECT_LT(ranks[i], ranks[j]);
      }
  // Every point of front k > 0 is dominated by some point of front k - 1.
  for (size_t k = 1; k < fronts.size(); ++k)
    for (size_t p : fronts[k]) {
      bool dominated = false;
      for (size_t q : fronts[k - 1]) dominated = dominated || dominates(points[q], points[p]);
      EXPECT_TRUE(dominated);
    }
}

TEST(NondominatedSort, HandWorkedExample) {
  // (1,4) (2,2) (4,1) non-dominated; (3,3) dominated by (2,2); (3,3) duplicate; (5,5) last.
  const std::vector<double> values = {3, 3, 1, 4, 5, 5, 2, 2, 4, 1, 3, 3};
  EXPECT_EQ(nondominated_sort(Points{values, 2}), (Fronts{{1, 3, 4}, {0, 5}, {2}}));
}

TEST(NondominatedSort, FeasibleFirstThenSmallerViolation) {
  // Point 0 is the best in both objectives but infeasible.
  const std::vector<double> values = {0, 0, 1, 1, 2, 0.5, 0.1, 0.1, 5, 5};
  const std::vector<double> violations = {0.5, 0, 0, 0.2, kInf};
  EXPECT_EQ(nondominated_sort(Points{values, 2}, violations), (Fronts{{1, 2}, {3}, {0}, {4}}));
}

TEST(NondominatedSort, FailedEvaluationsSortLastWithoutCorruptingTheFront) {
  const std::vector<double> values = {1, 2, kInf, kInf, 2, 1};
  const std::vector<double> violations = {0, kInf, 0};
  EXPECT_EQ(nondominated_sort(Points{values, 2}, violations), (Fronts{{0, 2}, {1}}));
}

TEST(NondominatedSort, RejectsBadInputWithClearErrors) {
  const std::vector<double> with_nan = {1, std::nan(""), 2, 3};
  EXPECT_THROW(
      {
        try {
          nondominated_sort(Points{with_nan, 2});
        } catch (const Error& e) {
          EXPECT_NE(std::string(e.what()).find("objective 1 of point 0"), std::string::npos) << e.what();
          throw;
        }
      },
      Error);
  const std::vector<double> minus_inf = {1, -kInf};
  EXPECT_THROW(nondominated_sort(Points{minus_inf, 2}), Error);
  const std::vector<double> ok = {1, 2};
  EXPECT_THROW(nondominated_sort(Points{ok, 0}), Error);
  EXPECT_THROW(nondominated_sort(Points{ok, 2}, std::vector<double>{-1}), Error);
  EXPECT_THROW(nondominated_sort(Points{ok, 2}, std::vector<double>{std::nan("")}), Error);
  EXPECT_THROW(nondominated_sort(Points{ok, 2}, std::vector<double>{0, 0}), Error);
}

TEST(CrowdingDistance, BoundaryPointsAreInfiniteAndInteriorIsNormalisedGapSum) {
  // Front on a line: f1 in {0, 1, 3, 4}, f2 = 8 - 2 f1 (ranges 4 and 8).
  const std::vector<double> values = {0, 8, 1, 6, 3, 2, 4, 0};
  const std::vector<size_t> front = {0, 1, 2, 3};
  const auto d = crowding_distance(Points{values, 2}, front);
  EXPECT_EQ(d[0], kInf);
  EXPECT_EQ(d[3], kInf);
  EXPECT_DOUBLE_EQ(d[1], (3.0 - 0.0) / 4 + (8.0 - 2.0) / 8);
  EXPECT_DOUBLE_EQ(d[2], (4.0 - 1.0) / 4 + (6.0 - 0.0) / 8);
}

TEST(CrowdingDistance, IsInvariantToObjectiveScale) {
  Rng rng(11);
  std::vector<double> values(40 * 3), scaled(40 * 3);
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = rng.uniform01();
    scaled[i] = values[i] * (i % 3 == 1 ? 1000.0 : 1.0);
  }
  std::vector<size_t> front(40);
  for (size_t i = 0; i < 40; ++i) front[i] = i;
  const auto a = crowding_distance(Points{values, 3}, front);
  const auto b = crowding_distance(Points{scaled, 3}, front);
  for (size_t i = 0; i < 40; ++i) {
    if (std::isinf(a[i]))
      EXPECT_EQ(a[i], b[i]);
    else
      EXPECT_NEAR(a[i], b[i], 1e-9);
  }
}

TEST(CrowdingDistance, SmallAndDegenerateFronts) {
  const std::vector<double> values = {1, 1, 1, 1, 1, 1};
  EXPECT_TRUE(crowding_distance(Points{values, 2}, std::vector<size_t>{}).empty());
  EXPECT_EQ(crowding_distance(Points{values, 2}, std::vector<size_t>{0, 1})[1], kInf);
  // Identical points: zero ranges add nothing; the two ends are still infinite.
  const auto d = crowding_distance(Points{values, 2}, std::vector<size_t>{0, 1, 2});
  EXPECT_EQ(d[1], 0.0);
}

}  // namespace
}  // namespace gos::moo
