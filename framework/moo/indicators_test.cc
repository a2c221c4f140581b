#include "framework/moo/indicators.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "framework/error.h"
#include "framework/rng.h"

namespace gos::moo {
namespace {

TEST(Hypervolume, MatchesBruteForceOnRandomSets) {
  Rng rng(99);
  for (int trial = 0; trial < 600; ++trial) {
    const size_t m = 2 + rng.index(3);
    const size_t n = rng.index(m == 4 ? 14 : 25);  // the brute force is O(N^(M+1))
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

TEST(Hypervolume, FourObjectivesHandComputed) {
  const std::vector<double> origin = {0, 0, 0, 0};
  EXPECT_DOUBLE_EQ(hypervolume(Points{origin, 4}, std::vector<double>{1, 2, 3, 4}), 24);
  // Boxes of 2*2*2*1 = 8 and 1*1*1*2 = 2 overlapping in the unit box above (1, 1, 1, 1).
  const std::vector<double> two = {0, 0, 0, 1, 1, 1, 1, 0};
  EXPECT_DOUBLE_EQ(hypervolume(Points{two, 4}, std::vector<double>{2, 2, 2, 2}), 8 + 2 - 1);
  // A dominated point and a duplicate change nothing; a point beyond the reference adds nothing.
  const std::vector<double> extra = {0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 3, 0, 0, 0};
  EXPECT_DOUBLE_EQ(hypervolume(Points{extra, 4}, std::vector<double>{2, 2, 2, 2}), 9);
}

TEST(Hypervolume, FourObjectivesOnTheSphereAgreeWithTheEstimateAndTheAnalyticLimit) {
  // Points on the positive unit sphere of R^4 cover all but the sphere's
  // orthant from the unit box: 1 - pi^2/32 as the points get dense.
  Rng rng(3);
  std::vector<double> values;
  for (int i = 0; i < 2000; ++i) {
    double p[4], norm = 0;
    for (double& v : p) {
      v = std::fabs(rng.normal());
      norm += v * v;
    }
    for (double v : p) values.push_back(v / std::sqrt(norm));
  }
  const std::vector<double> reference(4, 1.0);
  const double exact = hypervolume(Points{values, 4}, reference);
  EXPECT_LT(exact, 1 - std::numbers::pi * std::numbers::pi / 32);  // a finite set covers less than the limit
  // Far beyond what the brute force can check: against the Monte-Carlo estimate.
  Rng sampler(5);
  const auto estimate = estimate_hypervolume(Points{values, 4}, reference, 20000, sampler);
  EXPECT_NEAR(exact, estimate.value, 4 * estimate.standard_error) << estimate.value;
  EXPECT_GT(exact, 0.6);  // 2000 points get within 10% of it
}

TEST(HypervolumeEstimate, IntervalsCoverTheExactValueAtTheirConfidence) {
  Rng rng(8);
  int covered = 0;
  const int trials = 200;
  for (int trial = 0; trial < trials; ++trial) {
    const size_t m = 2 + rng.index(3);
    // Points near the positive unit sphere, so that the covered share of the
    // sampling box is neither 0 nor 1.
    std::vector<double> values;
    for (int i = 0; i < 20; ++i) {
      std::vector<double> p(m);
      double norm = 0;
      for (double& v : p) {
        v = std::fabs(rng.normal());
        norm += v * v;
      }
      const double radius = rng.uniform(1, 1.2);
      for (double v : p) values.push_back(v / std::sqrt(norm) * radius);
    }
    const std::vector<double> reference(m, 1.1);
    const Points points{values, m};
    const double exact = hypervolume(points, reference);
    Rng sampler(static_cast<uint64_t>(trial));
    const auto estimate = estimate_hypervolume(points, reference, 2000, sampler, 0.95);
    EXPECT_LE(estimate.lower, estimate.value);
    EXPECT_LE(estimate.value, estimate.upper);
    EXPECT_GT(estimate.standard_error, 0);
    covered += estimate.lower <= exact && exact <= estimate.upper;
  }
  // Binomial(200, 0.95) is below 180 with probability < 1e-3.
  EXPECT_GE(covered, 180) << covered << " of " << trials;
}

TEST(HypervolumeEstimate, FiveObjectivesConvergeToTheBruteForceValue) {
  Rng rng(21);
  std::vector<double> values(8 * 5);
  for (double& v : values) v = rng.uniform(0, 1);
  const std::vector<double> reference(5, 1.0);
  const double exact = naive_hypervolume(Points{values, 5}, reference);
  Rng sampler(1);
  const auto estimate = estimate_hypervolume(Points{values, 5}, reference, 200000, sampler);
  EXPECT_NEAR(estimate.value, exact, 4 * estimate.standard_error);
  EXPECT_LT(estimate.upper - estimate.lower, 0.05 * exact);
  // The whole box covered: every sample hits and the interval reaches the box.
  const std::vector<double> origin(5, 0.0);
  const auto full = estimate_hypervolume(Points{origin, 5}, reference, 1000, sampler);
  EXPECT_EQ(full.value, 1.0);
  EXPECT_EQ(full.upper, 1.0);
  EXPECT_LT(full.lower, 1.0);
  EXPECT_EQ(estimate_hypervolume(Points{std::vector<double>{2, 2, 2, 2, 2}, 5}, reference, 10, sampler).value, 0);
}

TEST(HypervolumeEstimate, RejectsBadInput) {
  Rng rng(1);
  const std::vector<double> values = {0, 0, 0, 0, 0};
  const std::vector<double> reference(5, 1.0);
  EXPECT_THROW(estimate_hypervolume(Points{values, 5}, reference, 0, rng), Error);
  EXPECT_THROW(estimate_hypervolume(Points{values, 5}, reference, 10, rng, 1.0), Error);
  EXPECT_THROW(estimate_hypervolume(Points{values, 5}, std::vector<double>{1, 1}, 10, rng), Error);
  const std::vector<double> minus_inf = {0, 0, -INFINITY, 0, 0};
  EXPECT_THROW(estimate_hypervolume(Points{minus_inf, 5}, reference, 10, rng), Error);
}

TEST(Hypervolume, RejectsUnsupportedInput) {
  const std::vector<double> values = {0, 0, 0, 0, 0};
  EXPECT_THROW(hypervolume(Points{values, 5}, std::vector<double>(5, 1.0)), Error);
  EXPECT_THROW(hypervolume(Points{values, 1}, std::vector<double>(1, 1.0)), Error);
  const std::vector<double> minus_inf = {0, -INFINITY};
  EXPECT_THROW(hypervolume(Points{minus_inf, 2}, std::vector<double>{1, 1}), Error);
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
  const std::vector<double> nan = {0, NAN};
  EXPECT_THROW(igd(Points{nan, 2}, Points{front, 2}), Error);
}

TEST(IgdPlus, CountsOnlyWhereTheApproximationIsWorse) {
  const std::vector<double> front = {0, 1, 1, 0};
  EXPECT_EQ(igd_plus(Points{front, 2}, Points{front, 2}), 0);
  // (0.5, 0.5) is worse by 0.5 in one coordinate against each front point.
  const std::vector<double> middle = {0.5, 0.5};
  EXPECT_DOUBLE_EQ(igd_plus(Points{middle, 2}, Points{front, 2}), 0.5);
  EXPECT_DOUBLE_EQ(igd(Points{middle, 2}, Points{front, 2}), std::sqrt(0.5));
  // A point dominating the whole front: IGD+ is zero, IGD is not.
  const std::vector<double> ideal = {0, 0};
  EXPECT_EQ(igd_plus(Points{ideal, 2}, Points{front, 2}), 0);
  EXPECT_DOUBLE_EQ(igd(Points{ideal, 2}, Points{front, 2}), 1.0);
  // Worse in both coordinates: the Euclidean distance.
  const std::vector<double> far = {3, 5};
  EXPECT_DOUBLE_EQ(igd_plus(Points{far, 2}, Points{std::vector<double>{0, 1}, 2}), 5.0);
  EXPECT_THROW(igd_plus(Points{std::vector<double>{}, 2}, Points{front, 2}), Error);
  EXPECT_THROW(igd_plus(Points{front, 1}, Points{front, 2}), Error);
}

TEST(IgdPlus, NeverExceedsIgdAndMatchesItsDefinitionOnRandomSets) {
  Rng rng(4);
  for (int trial = 0; trial < 100; ++trial) {
    const size_t m = 2 + rng.index(3);
    std::vector<double> approximation(10 * m), reference(30 * m);
    for (double& v : approximation) v = rng.uniform01();
    for (double& v : reference) v = rng.uniform01();
    const Points a{approximation, m}, z{reference, m};
    double expected = 0;
    for (size_t r = 0; r < z.size(); ++r) {
      double nearest = INFINITY;
      for (size_t i = 0; i < a.size(); ++i) {
        double squared = 0;
        for (size_t j = 0; j < m; ++j) squared += std::pow(std::max(a[i][j] - z[r][j], 0.0), 2);
        nearest = std::min(nearest, std::sqrt(squared));
      }
      expected += nearest / static_cast<double>(z.size());
    }
    ASSERT_NEAR(igd_plus(a, z), expected, 1e-12);
    ASSERT_LE(igd_plus(a, z), igd(a, z) + 1e-12);
  }
}

}  // namespace
}  // namespace gos::moo
