#include "framework/rng.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace gos {
namespace {

TEST(Rng, SameSeedSameStream) {
  Rng a(42), b(42);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next_u64(), b.next_u64());
}

TEST(Rng, ForkedStreamsDependOnSeedAndName) {
  const Rng master(7);
  EXPECT_EQ(master.fork("strategy").next_u64(), Rng(7).fork("strategy").next_u64());
  EXPECT_NE(master.fork("strategy").next_u64(), master.fork("mutator").next_u64());
  EXPECT_NE(master.fork("strategy").next_u64(), Rng(8).fork("strategy").next_u64());
}

TEST(Rng, UniformIntYieldsEveryValueAndNothingElse) {
  Rng rng(1);
  std::map<int64_t, int> counts;
  for (int i = 0; i < 70000; ++i) ++counts[rng.uniform_int(-3, 3)];
  ASSERT_EQ(counts.size(), 7u);
  EXPECT_EQ(counts.begin()->first, -3);
  EXPECT_EQ(counts.rbegin()->first, 3);
  // Each bucket expects 10000; 5 sigma is about 460.
  for (const auto& [value, count] : counts) EXPECT_NEAR(count, 10000, 460) << value;
}

TEST(Rng, Uniform01StaysInUnitIntervalWithTheRightMean) {
  Rng rng(2);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    const double u = rng.uniform01();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / 100000, 0.5, 0.005);
}

TEST(Rng, NormalHasUnitVariance) {
  Rng rng(3);
  double sum = 0, squares = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const double x = rng.normal();
    sum += x;
    squares += x * x;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.02);
  EXPECT_NEAR(squares / n, 1.0, 0.03);
}

TEST(Rng, ShuffleIsAPermutation) {
  Rng rng(4);
  std::vector<int> items{0, 1, 2, 3, 4, 5, 6, 7};
  std::set<std::vector<int>> seen;
  for (int i = 0; i < 2000; ++i) {
    std::vector<int> copy = items;
    rng.shuffle(std::span<int>(copy));
    EXPECT_EQ(std::set<int>(copy.begin(), copy.end()).size(), 8u);
    seen.insert(copy);
  }
  EXPECT_GT(seen.size(), 1500u);  // 8! = 40320 orders; repeats are rare
}

TEST(StableHash, IsFnv1a) {
  // FNV-1a test vectors.
  EXPECT_EQ(stable_hash(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(stable_hash("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(stable_hash("foobar"), 0x85944171f73967e8ULL);
}

}  // namespace
}  // namespace gos
