#include "framework/equivalence_cache.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace gos {
namespace {

// A key whose exact part counts its calls.
EquivalenceKey key(std::string bucket, std::string exact, int* calls) {
  return {std::move(bucket), [exact, calls] {
            ++*calls;
            return exact;
          }};
}

TEST(EquivalenceCache, MatchesWithinABucketAndComputesExactKeysOnlyOnCollisions) {
  EquivalenceCache cache;
  int calls = 0;
  EXPECT_EQ(cache.find_or_add(0, key("a", "x", &calls)), std::nullopt);
  EXPECT_EQ(cache.find_or_add(1, key("b", "x", &calls)), std::nullopt);  // same exact, other bucket
  EXPECT_EQ(calls, 0);                                                 // no bucket had two members yet
  EXPECT_EQ(cache.find_or_add(2, key("a", "y", &calls)), std::nullopt);
  EXPECT_EQ(calls, 2);  // its own and evaluation 0's, computed late
  EXPECT_EQ(cache.find_or_add(3, key("a", "x", &calls)), std::optional<size_t>(0));
  EXPECT_EQ(cache.find_or_add(4, key("a", "y", &calls)), std::optional<size_t>(2));
  EXPECT_EQ(calls, 4);  // earlier members' keys are computed once
  EXPECT_EQ(cache.hits(), 2u);
  EXPECT_EQ(cache.exact_keys(), 4u);
  EXPECT_GE(cache.exact_seconds(), 0);
}

TEST(EquivalenceCache, AThrowingExactKeyLeavesTheBucketUsable) {
  EquivalenceCache cache;
  int calls = 0;
  cache.find_or_add(0, key("a", "x", &calls));
  EXPECT_THROW(cache.find_or_add(1, {"a", []() -> std::string { throw std::runtime_error("probe failed"); }}),
               std::runtime_error);
  EXPECT_EQ(cache.find_or_add(2, key("a", "x", &calls)), std::optional<size_t>(0));
}

}  // namespace
}  // namespace gos
