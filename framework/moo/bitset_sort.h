#pragma once
// Non-dominated ranking with dominator bitsets, for four and more objectives.
//
// The distinct points are visited in lexicographic order
// (lexicographic_points.h), so the points that dominate point p are exactly
// the earlier points no worse than p in objectives 1..M-1. For each of those
// objectives, the points no worse than p are a prefix of the points sorted by
// that objective. The ranking stores the membership of every `interval`-th
// such prefix as a bitset over the point numbers (a checkpoint), takes for p
// the first checkpoint that covers its prefix, ANDs the M-1 checkpoints over
// the words of the points before p and clears the few points the checkpoints
// hold beyond p's prefixes: what is left is exactly p's dominators. p's rank
// is one more than the highest front that meets that set, found by binary
// search (a point dominated by a member of front r is dominated by a member
// of every front below r), each step one AND with a front's bitset.
//
// That is O(M N^2 / 64) word operations, quadratic but sequential, with few
// data-dependent branches and vectorised by the compiler, against O(N log^(M-1) N) comparisons for the
// divide and conquer (divide_and_conquer_sort.h), whose constant grows with
// M: at the population sizes of evolutionary search (measured up to
// 2 x 10^5) the bitsets win. Their memory is the limit: (M-1) N^2 /
// (8 interval) bytes of checkpoints and N/8 bytes per front.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "framework/moo/lexicographic_points.h"
#include "framework/moo/nondominated_sort.h"

namespace gos::moo {

struct BitsetRankingOptions {
  // A cap on the quadratic cost: the largest size measured (5 objectives,
  // 2-core EPYC VM) still favours the bitsets over the divide and conquer,
  // 450 against 1227 ms at N = 100000 and 1.8 against 4.1 s at N = 200000,
  // but the gap narrows as N grows.
  size_t max_points = size_t{1} << 18;
  // Points between two checkpoints (0: N/256 rounded down to a power of
  // two, at least 1). Each point clears up to interval - 1 bits per
  // objective; the interval doubles, up to the maximum, until the
  // checkpoints fit their budget.
  size_t checkpoint_interval = 0;
  size_t max_checkpoint_interval = 1024;
  size_t max_checkpoint_bytes = size_t{64} << 20;
  // Beyond this the ranking gives up: a population spread over thousands of
  // fronts (a chain), which the divide and conquer handles in less memory.
  size_t max_front_bytes = size_t{16} << 20;
};

// The Pareto rank (0 = non-dominated) of each distinct point, or nullopt when
// there are more than max_points or the checkpoints or the fronts would
// exceed their budget. Needs at least two
// objectives (throws gos::Error otherwise).
std::optional<std::vector<int32_t>> bitset_ranks(const LexicographicPoints& points,
                                                 const BitsetRankingOptions& options = {});

// The same for `members` of `points`, ranked among themselves, in the order
// of `members`; equal objective vectors share a rank. The caller has checked
// the values (no NaN, no -inf; +inf is allowed).
std::optional<std::vector<size_t>> bitset_ranks(Points points, std::span<const size_t> members,
                                                const BitsetRankingOptions& options = {});

}  // namespace gos::moo
