#include "framework/moo/bitset_sort.h"

#include <gtest/gtest.h>

#include <limits>
#include <numeric>

#include "framework/error.h"
#include "framework/moo/divide_and_conquer_sort.h"
#include "framework/rng.h"

namespace gos::moo {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<size_t> all_of(size_t n) {
  std::vector<size_t> members(n);
  std::iota(members.begin(), members.end(), size_t{0});
  return members;
}

std::vector<size_t> naive_ranks(Points points) { return ranks_of(naive_nondominated_sort(points), points.size()); }

// Checkpoint intervals of 1 (no bits to clear), odd sizes, more than the
// population (one checkpoint holding everything) and the automatic choice
// (0) all give the same ranks.
TEST(BitsetRanks, MatchNaiveRanksForTwoToEightObjectivesAndAnyCheckpointInterval) {
  Rng rng(8);
  for (int trial = 0; trial < 400; ++trial) {
    const size_t m = 2 + rng.index(7);
    const size_t n = rng.index(300);
    const int levels = std::vector<int>{2, 5, 1000000}[rng.index(3)];
    std::vector<double> values(n * m);
    for (double& v : values) v = rng.bernoulli(0.01) ? kInf : static_cast<double>(rng.uniform_int(0, levels - 1));
    // A subset of the points, ranked among themselves.
    std::vector<size_t> members;
    std::vector<double> subset;
    for (size_t i = 0; i < n; ++i)
      if (rng.bernoulli(0.8)) {
        members.push_back(i);
        subset.insert(subset.end(), values.begin() + i * m, values.begin() + (i + 1) * m);
      }
    const size_t interval = std::vector<size_t>{0, 1, 3, 7, 64, 1000}[rng.index(6)];
    const auto ranks = bitset_ranks(Points{values, m}, members, BitsetRankingOptions{.checkpoint_interval = interval});
    ASSERT_TRUE(ranks.has_value());
    ASSERT_EQ(*ranks, naive_ranks(Points{subset, m}))
        << "trial " << trial << " n=" << n << " m=" << m << " levels=" << levels << " interval=" << interval;
  }
}

// Where k-d trees and median splits degrade: three or four values per
// objective, every vector repeated, one objective constant.
TEST(BitsetRanks, HeavyTiesAndDuplicatesMatchNaiveRanks) {
  Rng rng(19);
  for (int trial = 0; trial < 20; ++trial) {
    const size_t m = 4 + rng.index(3);
    const size_t distinct = 1 + rng.index(300);
    const int levels = 2 + static_cast<int>(rng.index(2));
    std::vector<double> values;
    for (size_t i = 0; i < distinct; ++i)
      for (size_t j = 0; j < m; ++j) values.push_back(j == 2 ? 0.5 : static_cast<double>(rng.uniform_int(0, levels)));
    // Each vector two to four times, shuffled.
    std::vector<size_t> copies;
    for (size_t i = 0; i < distinct; ++i)
      for (size_t c = 0, count = 2 + rng.index(3); c < count; ++c) copies.push_back(i);
    rng.shuffle(std::span<size_t>(copies));
    std::vector<double> repeated;
    for (size_t i : copies) repeated.insert(repeated.end(), values.begin() + i * m, values.begin() + (i + 1) * m);
    const Points points{repeated, m};
    const auto ranks = bitset_ranks(points, all_of(points.size()), BitsetRankingOptions{.checkpoint_interval = 5});
    ASSERT_TRUE(ranks.has_value());
    ASSERT_EQ(*ranks, naive_ranks(points)) << "trial " << trial << " m=" << m << " levels=" << levels;
  }
  const std::vector<double> identical(400 * 5, 1.0);
  EXPECT_EQ(bitset_ranks(Points{identical, 5}, all_of(400)), std::vector<size_t>(400, 0));
}

TEST(BitsetRanks, LargeUniformPopulationsMatchNaiveAndDivideAndConquerRanks) {
  Rng rng(3);
  for (size_t m : {4, 5, 8}) {
    const size_t n = 2500;
    std::vector<double> values(n * m);
    for (double& v : values) v = rng.uniform01();
    const Points points{values, m};
    const auto ranks = bitset_ranks(points, all_of(n));
    ASSERT_TRUE(ranks.has_value());
    EXPECT_EQ(*ranks, naive_ranks(points)) << "m=" << m;
    EXPECT_EQ(*ranks, divide_and_conquer_ranks(points, all_of(n))) << "m=" << m;
  }
}

// A chain: point i dominates point i + 1, so there are as many fronts as points.
std::vector<double> shuffled_chain(Rng& rng, size_t n, size_t m, std::vector<size_t>& position) {
  position = all_of(n);
  rng.shuffle(std::span<size_t>(position));
  std::vector<double> values(n * m);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < m; ++j) values[i * m + j] = static_cast<double>(position[i]) + 0.1 * static_cast<double>(j);
  return values;
}

TEST(BitsetRanks, GivesUpBeyondItsSizeAndMemoryLimits) {
  Rng rng(4);
  std::vector<size_t> position;
  const auto chain = shuffled_chain(rng, 300, 4, position);
  const Points points{chain, 4};
  EXPECT_EQ(bitset_ranks(points, all_of(300)), position);
  EXPECT_FALSE(bitset_ranks(points, all_of(300), BitsetRankingOptions{.max_points = 299}).has_value());
  EXPECT_EQ(bitset_ranks(points, all_of(300), BitsetRankingOptions{.max_points = 300}), position);
  // 300 points take 5 words, padded to a block of 8 (64 bytes), per front.
  EXPECT_FALSE(bitset_ranks(points, all_of(300), BitsetRankingOptions{.max_front_bytes = 64 * 299}).has_value());
  EXPECT_EQ(bitset_ranks(points, all_of(300), BitsetRankingOptions{.max_front_bytes = 64 * 300}), position);
  // Checkpoints of every 64th point: 3 objectives x 6 checkpoints x 64
  // bytes; a budget of 3 x 4 x 64 bytes forces an interval of 128 (4
  // checkpoints), which is still exact.
  EXPECT_FALSE(
      bitset_ranks(points, all_of(300), BitsetRankingOptions{.checkpoint_interval = 64, .max_checkpoint_bytes = 100})
          .has_value());
  EXPECT_EQ(
      bitset_ranks(points, all_of(300),
                   BitsetRankingOptions{
                       .checkpoint_interval = 64, .max_checkpoint_interval = 128, .max_checkpoint_bytes = 3 * 4 * 64}),
      position);
  EXPECT_FALSE(
      bitset_ranks(points, all_of(300),
                   BitsetRankingOptions{
                       .checkpoint_interval = 64, .max_checkpoint_interval = 64, .max_checkpoint_bytes = 3 * 4 * 64})
          .has_value());
}

// 20000 fronts exceed the bitset ranking's front budget, so the sort falls
// back to the divide and conquer and must still find every front.
TEST(NondominatedSort, LongChainOfFrontsFallsBackToDivideAndConquer) {
  Rng rng(5);
  std::vector<size_t> position;
  const size_t n = 20000;
  const auto chain = shuffled_chain(rng, n, 5, position);
  const Points points{chain, 5};
  EXPECT_FALSE(bitset_ranks(points, all_of(n)).has_value());
  EXPECT_EQ(ranks_of(nondominated_sort(points), n), position);
}

TEST(BitsetRanks, NeedsTwoObjectives) {
  const std::vector<double> values = {1, 2, 3};
  EXPECT_THROW(bitset_ranks(Points{values, 1}, all_of(3)), Error);
}

}  // namespace
}  // namespace gos::moo
