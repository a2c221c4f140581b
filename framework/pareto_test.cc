#include "framework/pareto.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "framework/rng.h"

namespace gos {
namespace {

TEST(Pareto, Dominance) {
  const std::vector<double> a{1, 2}, b{2, 2}, c{2, 1};
  EXPECT_TRUE(dominates(a, b));
  EXPECT_FALSE(dominates(b, a));
  EXPECT_FALSE(dominates(a, c));
  EXPECT_FALSE(dominates(a, a));
}

TEST(Pareto, ConstraintDominationPrefersFeasibilityThenSmallerViolation) {
  const std::vector<double> good{0, 0}, bad{5, 5};
  EXPECT_TRUE(constraint_dominates(bad, 0, good, 0.1));
  EXPECT_FALSE(constraint_dominates(good, 0.1, bad, 0));
  EXPECT_TRUE(constraint_dominates(bad, 0.1, good, 0.2));
  EXPECT_TRUE(constraint_dominates(good, 0, bad, 0));
}

// Naive reference: a point is in the front when no other point dominates it.
std::vector<size_t> naive_front(const std::vector<std::vector<double>>& points, const std::vector<double>& violations) {
  std::vector<size_t> front;
  for (size_t i = 0; i < points.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < points.size() && !dominated; ++j)
      dominated = j != i && constraint_dominates(points[j], violations[j], points[i], violations[i]);
    if (!dominated) front.push_back(i);
  }
  return front;
}

TEST(Pareto, ArchiveMatchesNaiveFrontOnRandomPoints) {
  Rng rng(5);
  for (int trial = 0; trial < 300; ++trial) {
    const size_t n = static_cast<size_t>(rng.uniform_int(1, 60));
    const size_t m = static_cast<size_t>(rng.uniform_int(2, 4));
    std::vector<std::vector<double>> points(n, std::vector<double>(m));
    std::vector<double> violations(n);
    for (size_t i = 0; i < n; ++i) {
      // Few distinct values so that ties and duplicates happen.
      for (double& v : points[i]) v = static_cast<double>(rng.uniform_int(0, 5));
      violations[i] = rng.bernoulli(0.2) ? static_cast<double>(rng.uniform_int(1, 3)) : 0.0;
    }
    ParetoArchive archive;
    for (size_t i = 0; i < n; ++i) archive.offer(i, points[i], violations[i]);
    std::vector<size_t> ids = archive.ids();
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(ids, naive_front(points, violations)) << "trial " << trial;
  }
}

}  // namespace
}  // namespace gos
