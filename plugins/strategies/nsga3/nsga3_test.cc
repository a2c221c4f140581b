#include "plugins/strategies/nsga3/nsga3.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <set>

#include "framework/error.h"
#include "plugins/strategies/nsga3/reference_directions.h"
#include "plugins/strategies/nsga3/survival.h"
#include "searchspaces/testproblems/test_problems.h"

namespace gos {
namespace {

using nsga3::das_dennis;

TEST(ReferenceDirections, DasDennisLatticeForThreeObjectivesAndTwoDivisions) {
  const std::vector<double> expected = {1, 0, 0, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 1, 0, 0, 0.5, 0.5, 0, 0, 1};
  EXPECT_EQ(das_dennis(3, 2), expected);
  EXPECT_EQ(nsga3::direction_count(3, 2), 6u);
}

TEST(ReferenceDirections, CountsMatchTheBinomialAndEveryDirectionIsOnTheSimplex) {
  // C(M + p - 1, p): Deb & Jain's sizes (91 for M=3, p=12; 210 for M=5, p=6).
  EXPECT_EQ(nsga3::direction_count(3, 12), 91u);
  EXPECT_EQ(nsga3::direction_count(5, 6), 210u);
  EXPECT_EQ(nsga3::direction_count(2, 99), 100u);
  for (size_t m : {2u, 4u, 5u}) {
    const std::vector<double> w = das_dennis(m, 4);
    ASSERT_EQ(w.size(), m * nsga3::direction_count(m, 4));
    std::set<std::vector<double>> distinct;
    for (size_t k = 0; k < w.size() / m; ++k) {
      const std::vector<double> row(w.begin() + static_cast<std::ptrdiff_t>(k * m),
                                    w.begin() + static_cast<std::ptrdiff_t>(k * m + m));
      EXPECT_NEAR(std::accumulate(row.begin(), row.end(), 0.0), 1.0, 1e-12);
      for (double x : row) EXPECT_GE(x, 0);
      distinct.insert(row);
    }
    EXPECT_EQ(distinct.size(), w.size() / m);
  }
  EXPECT_THROW(das_dennis(0, 3), Error);
  EXPECT_THROW(das_dennis(3, 0), Error);
}

TEST(ReferenceDirections, DivisionsFitThePopulation) {
  EXPECT_EQ(nsga3::divisions_for(2, 100), 99u);
  EXPECT_EQ(nsga3::divisions_for(3, 100), 12u);  // 91 directions; p = 13 gives 105
  EXPECT_EQ(nsga3::divisions_for(4, 100), 6u);   // 84; p = 7 gives 120
  EXPECT_EQ(nsga3::divisions_for(5, 100), 4u);   // 70; p = 5 gives 126
  EXPECT_EQ(nsga3::divisions_for(8, 4), 1u);     // even p = 1 gives 8 directions
  EXPECT_EQ(nsga3::divisions_for(1, 10), 1u);
}

TEST(Nsga3Normalize, HandComputedTwoObjectiveFront) {
  // Ideal (1, 1); extremes (2, 0) and (0, 2) after translation; intercepts 2, 2.
  const std::vector<double> points = {1, 3, 2, 2, 3, 1};
  const std::vector<double> expected = {0, 1, 0.5, 0.5, 1, 0};
  const std::vector<double> normalized = nsga3::normalize({points, 2});
  ASSERT_EQ(normalized.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(normalized[i], expected[i], 1e-9) << i;
}

TEST(Nsga3Normalize, DegenerateExtremesFallBackToTheLargestValues) {
  // One point is extreme on both axes: the hyperplane is undefined, so each
  // objective is divided by its largest translated value (4 and 2).
  const std::vector<double> points = {0, 0, 4, 2, 2, 1};
  const std::vector<double> normalized = nsga3::normalize({points, 2});
  const std::vector<double> expected = {0, 0, 1, 1, 0.5, 0.5};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(normalized[i], expected[i], 1e-9) << i;
  // A constant objective is left as translated (divided by 1).
  const std::vector<double> flat = {1, 5, 2, 5};
  const std::vector<double> flat_normalized = nsga3::normalize({flat, 2});
  EXPECT_NEAR(flat_normalized[1], 0.0, 1e-12);
  EXPECT_NEAR(flat_normalized[3], 0.0, 1e-12);
  const std::vector<double> infinite = {1, INFINITY};
  EXPECT_THROW(nsga3::normalize({infinite, 2}), Error);
}

TEST(Nsga3Associate, NearestLineByPerpendicularDistance) {
  const std::vector<double> w = das_dennis(2, 2);  // (1,0) (0.5,0.5) (0,1)
  const std::vector<double> points = {0.9, 0.1, 0.4, 0.6, 0, 2};
  const nsga3::Association a = nsga3::associate({points, 2}, {w, 2});
  EXPECT_EQ(a.direction, (std::vector<size_t>{0, 1, 2}));
  EXPECT_NEAR(a.distance[0], 0.1, 1e-12);
  EXPECT_NEAR(a.distance[1], std::sqrt(0.02), 1e-12);  // |(-0.1, 0.1)|
  EXPECT_NEAR(a.distance[2], 0.0, 1e-12);
}

TEST(Nsga3Survival, TheCutFrontKeepsOneMemberPerDirectionBeforeASecond) {
  // One non-dominated front on the line f1 + f2 = 1: ten points crowded near
  // (0, 1), one at the middle and one at (1, 0). Crowding distance would keep
  // the ends and one of the crowd; the three directions keep one of each
  // region, and in a region nobody holds yet the member nearest the line.
  std::vector<double> points;
  for (int i = 0; i < 10; ++i) points.insert(points.end(), {0.01 * i, 1 - 0.01 * i});
  points.insert(points.end(), {0.52, 0.48, 1, 0});
  const std::vector<double> w = das_dennis(2, 2);
  for (uint64_t seed = 0; seed < 20; ++seed) {
    Rng rng(seed);
    const std::vector<size_t> kept = nsga3::survive({points, 2}, {}, 3, {w, 2}, rng);
    EXPECT_EQ(kept, (std::vector<size_t>{0, 10, 11})) << "seed " << seed;
  }
}

TEST(Nsga3Survival, WholeFrontsFirstThenFeasibleBeforeInfeasible) {
  // Front 0: (0, 1), (1, 0); (2, 2) is dominated; two infeasible points.
  const std::vector<double> points = {0, 1, 1, 0, 2, 2, 0, 0, 0.1, 0.1};
  const std::vector<double> violations = {0, 0, 0, 3, 1};
  const std::vector<double> w = das_dennis(2, 4);
  Rng rng(1);
  EXPECT_EQ(nsga3::survive({points, 2}, violations, 2, {w, 2}, rng), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(nsga3::survive({points, 2}, violations, 3, {w, 2}, rng), (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(nsga3::survive({points, 2}, violations, 4, {w, 2}, rng), (std::vector<size_t>{0, 1, 2, 4}));
  EXPECT_EQ(nsga3::survive({points, 2}, violations, 9, {w, 2}, rng).size(), 5u);
  // A cut infeasible front (equal violations: neither constraint-dominates)
  // keeps its members of smallest violation, the lower index on ties.
  const std::vector<double> tied = {0, 0, 0, 2, 2};
  EXPECT_EQ(nsga3::survive({points, 2}, tied, 4, {w, 2}, rng), (std::vector<size_t>{0, 1, 2, 3}));
}

// On DTLZ2 with four objectives the Pareto front is the positive part of the
// unit sphere. After a short run the population is close to it and spread
// over the reference directions, which is what the niching is for.
TEST(Nsga3, ConvergesToTheDtlz2SphereAndCoversTheDirections) {
  testproblems::TestProblemConfig config;
  config.problem = testproblems::Problem::kDtlz2;
  config.objectives = 4;
  config.dimensions = 13;
  const testproblems::TestProblemSpace space(config);
  Nsga3Config nsga3_config;
  nsga3_config.population = 84;  // p = 6: 84 directions
  nsga3_config.generations = 120;
  Nsga3 nsga3(nsga3_config);
  nsga3.start(StrategyContext{&space, space.default_mutator(), 4}, Rng(3));
  ASSERT_EQ(nsga3.directions().size(), 84u * 4);
  for (auto batch = nsga3.ask(); !batch.empty(); batch = nsga3.ask()) {
    std::vector<EvaluatedGenome> told;
    for (GenomePtr& genome : batch) {
      const auto& x = dynamic_cast<const testproblems::RealVector&>(*genome).values;
      told.push_back({genome, testproblems::evaluate(config.problem, x, 4), 0, false});
    }
    nsga3.tell(told);
  }
  ASSERT_EQ(nsga3.population().size(), 84u);
  double radius = 0;
  std::vector<double> values;
  for (const EvaluatedGenome& member : nsga3.population()) {
    double squared = 0;
    for (double f : member.objectives) squared += f * f;
    radius += std::sqrt(squared) / 84;
    values.insert(values.end(), member.objectives.begin(), member.objectives.end());
  }
  EXPECT_LT(radius, 1.05);
  const nsga3::Association association =
      nsga3::associate({nsga3::normalize({values, 4}), 4}, {nsga3.directions(), 4});
  const std::set<size_t> held(association.direction.begin(), association.direction.end());
  EXPECT_GE(held.size(), 70u) << "of 84 directions";
}

TEST(Nsga3, RejectsSizesItCannotRun) {
  const auto config = [](int64_t population, int64_t generations, int64_t divisions) {
    Nsga3Config c;
    c.population = population;
    c.generations = generations;
    c.divisions = divisions;
    return c;
  };
  EXPECT_THROW(Nsga3(config(1, 5, 0)), Error);
  EXPECT_THROW(Nsga3(config(10, 0, 0)), Error);
  EXPECT_THROW(Nsga3(config(10, 5, -1)), Error);
}

}  // namespace
}  // namespace gos
