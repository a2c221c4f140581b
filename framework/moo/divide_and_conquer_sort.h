#pragma once
// Non-dominated ranking by divide and conquer over the objectives (Jensen
// 2003, with the tie handling of Fortin, Grenier & Parizeau 2013 and the
// three-way median split of Buzdalov & Shalyto 2014): O(N log^(M-1) N) for N
// points of M >= 2 objectives, against the O(M N^2) of pairwise comparison.
//
// nondominated_sort() uses it for four or more objectives when the
// quadratic bitset ranking (bitset_sort.h) would need too much memory; its
// own incremental staircases are faster for two and three.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "framework/moo/lexicographic_points.h"
#include "framework/moo/nondominated_sort.h"

namespace gos::moo {

// The Pareto rank (0 = non-dominated) of each of `members`, points of
// `points` ranked among themselves only, in the order of `members`. Equal
// objective vectors share a rank. Needs at least two objectives; the caller
// has checked the values (no NaN, no -inf; +inf is allowed).
std::vector<size_t> divide_and_conquer_ranks(Points points, std::span<const size_t> members);
// The same for distinct vectors already in lexicographic order: the rank of each.
std::vector<int32_t> divide_and_conquer_ranks(const LexicographicPoints& points);

}  // namespace gos::moo
