#include "framework/moo/value_order.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>
#include <utility>

namespace gos::moo {
namespace {

// Below this size a comparison sort is cheaper than the radix passes'
// histograms.
constexpr size_t kRadixFrom = 512;
constexpr int kDigitBits = 11;
constexpr size_t kBuckets = size_t{1} << kDigitBits;
constexpr int kPasses = (64 + kDigitBits - 1) / kDigitBits;

// An unsigned key with the order of the double: flip every bit of a
// negative number, only the sign bit of a positive one. Adding 0.0 first
// turns -0.0 into 0.0 so the two compare equal, as doubles do.
uint64_t key_of(double value) {
  const double canonical = value + 0.0;
  uint64_t bits;
  std::memcpy(&bits, &canonical, sizeof bits);
  return (bits >> 63) ? ~bits : bits | (uint64_t{1} << 63);
}

}  // namespace

std::vector<uint32_t> stable_order(std::span<const double> values) {
  const size_t n = values.size();
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  if (n < kRadixFrom) {
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return values[a] < values[b]; });
    return order;
  }
  // Least significant digit first: each pass is stable, so equal keys keep
  // their index order.
  std::vector<uint64_t> keys(n), next_keys(n);
  std::vector<uint32_t> next_order(n);
  std::vector<std::array<uint32_t, kBuckets>> counts(kPasses);
  for (auto& count : counts) count.fill(0);
  for (size_t i = 0; i < n; ++i) {
    keys[i] = key_of(values[i]);
    for (int pass = 0; pass < kPasses; ++pass) ++counts[pass][(keys[i] >> (pass * kDigitBits)) & (kBuckets - 1)];
  }
  for (int pass = 0; pass < kPasses; ++pass) {
    auto& count = counts[pass];
    const int shift = pass * kDigitBits;
    // A digit all keys share moves nothing (the high digits of values of one magnitude).
    if (count[(keys[0] >> shift) & (kBuckets - 1)] == n) continue;
    uint32_t start = 0;
    for (auto& c : count) start += std::exchange(c, start);
    for (size_t i = 0; i < n; ++i) {
      const uint32_t slot = count[(keys[i] >> shift) & (kBuckets - 1)]++;
      next_keys[slot] = keys[i];
      next_order[slot] = order[i];
    }
    keys.swap(next_keys);
    order.swap(next_order);
  }
  return order;
}

}  // namespace gos::moo
