#include "framework/moo/value_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "framework/rng.h"

namespace gos::moo {
namespace {

std::vector<uint32_t> reference_order(const std::vector<double>& values) {
  std::vector<uint32_t> order(values.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return values[a] < values[b]; });
  return order;
}

// Sizes on both sides of the switch from comparison to radix sort; values
// of mixed sign and magnitude, ties, both zeros and both infinities.
TEST(StableOrder, MatchesStableSortOnRandomColumns) {
  Rng rng(12);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (int trial = 0; trial < 200; ++trial) {
    const size_t n = std::vector<size_t>{0, 1, 2, 100, 511, 512, 3000}[rng.index(7)];
    const int kind = static_cast<int>(rng.index(4));
    std::vector<double> values(n);
    for (double& v : values) {
      if (kind == 0) v = rng.uniform01();                              // one magnitude: most high digits shared
      if (kind == 1) v = static_cast<double>(rng.uniform_int(-3, 3));  // many ties, -0.0 below
      if (kind == 2) v = rng.normal() * std::pow(10.0, static_cast<double>(rng.uniform_int(-30, 30)));
      if (kind == 3) v = std::vector<double>{-kInf, -1e300, -0.0, 0.0, 5e-324, 1.0, kInf}[rng.index(7)];
      if (kind == 1 && v == 0 && rng.bernoulli(0.5)) v = -0.0;
    }
    ASSERT_EQ(stable_order(values), reference_order(values)) << "trial " << trial << " n=" << n << " kind=" << kind;
  }
}

TEST(StableOrder, ConstantColumnKeepsIndexOrder) {
  const std::vector<double> values(2000, 0.25);
  std::vector<uint32_t> identity(2000);
  std::iota(identity.begin(), identity.end(), 0u);
  EXPECT_EQ(stable_order(values), identity);
}

}  // namespace
}  // namespace gos::moo
