#include "framework/moo/indicators.h"

#include <gtest/gtest.h>

#include <cmath>

#include "framework/error.h"
#include "framework/rng.h"

namespace gos::moo {
namespace {

TEST(Hypervolume, MatchesBruteForceOnRandomSets) {
  Rng rng(99);
  for (int trial = 0; trial < 400; ++trial) {
    const size_t m = rng.bernoulli(0.5) ? 2 : 3;
    const size_t n = rng.index(25);
    std::vector<double> values(n * m);
    // Coarse grid half the time, for ties and duplicates; some points beyond the reference.
    const bool grid = rng.bernoulli(0.5);
    for (double& v : values) v = grid ? rng.uniform_int(0, 5) * 0.25 : rng.uniform(0, 1.2);
    const std::vector<double> reference(m, 1.1);
    const Points points{values, m};
    ASSERT_NEAR(hypervolume(points, reference), naive_hypervolume(points, reference), 1e-12)
        << "trial " << trial << " n=" << n << " m=" << m;
  }
}

TEST(Hypervolume, HandComputedValues) {
  const std::vector<double> two = {1, 3, 2, 2, 3, 1};  // staircase below (4, 4)
  EXPECT_DOUBLE_EQ(hypervolume(Points{two, 2}, std::vector<double>{4, 4}), 3 + 2 + 1);
  const std::vector<double> cube = {0, 0, 0};
  EXPECT_DOUBLE_EQ(hypervolume(Points{cube, 3}, std::vector<double>{1, 2, 3}), 6);
  const std::vector<double> outside = {5, 0};
  EXPECT_EQ(hypervolume(Points{outside, 2}, std::vector<double>{4, 4}), 0);
}

TEST(Hypervolume, DenseZdt1FrontApproachesTheAnalyticValue) {
  // ZDT1's front f2 = 1 - sqrt(f1) below (1.1, 1.1) encloses 1.21 - 1/3.
  std::vector<double> values;
  const int n = 20000;
  for (int i = 0; i <= n; ++i) {
    const double f1 = static_cast<double>(i) / n;
    values.push_back(f1);
    values.push_back(1 - std::sqrt(f1));
  }
  EXPECT_NEAR(hypervolume(Points{values, 2}, std::vector<double>{1.1, 1.1}), 1.21 - 1.0 / 3, 1e-4);
}

TEST(Hypervolume, RejectsUnsupportedInput) {
  const std::vector<double> values = {0, 0, 0, 0};
  EXPECT_THROW(hypervolume(Points{values, 4}, std::vector<double>{1, 1, 1, 1}), Error);
  EXPECT_THROW(hypervolume(Points{values, 2}, std::vector<double>{1}), Error);
  EXPECT_THROW(hypervolume(Points{values, 2}, std::vector<double>{1, INFINITY}), Error);
  const std::vector<double> nan = {0, NAN};
  EXPECT_THROW(hypervolume(Points{nan, 2}, std::vector<double>{1, 1}), Error);
}

TEST(Igd, ZeroOnTheFrontAndMeanNearestDistanceOtherwise) {
  const std::vector<double> front = {0, 1, 1, 0};
  EXPECT_EQ(igd(Points{front, 2}, Points{front, 2}), 0);
  const std::vector<double> one = {0, 0};
  EXPECT_DOUBLE_EQ(igd(Points{one, 2}, Points{front, 2}), 1.0);
  const std::vector<double> shifted = {0, 1.5, 1, 0.5};
  EXPECT_DOUBLE_EQ(igd(Points{shifted, 2}, Points{front, 2}), 0.5);
  EXPECT_THROW(igd(Points{std::vector<double>{}, 2}, Points{front, 2}), Error);
  EXPECT_THROW(igd(Points{front, 1}, Points{front, 2}), Error);
}

}  // namespace
}  // namespace gos::moo
