#pragma once
// The distinct objective vectors of a set of points, numbered in
// lexicographic order: the common first step of the many-objective rankings
// (divide_and_conquer_sort.h, bitset_sort.h). In that order a point can only
// be dominated by points with smaller numbers, and with duplicates merged,
// weak dominance between two different numbers is dominance.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "framework/moo/nondominated_sort.h"

namespace gos::moo {

struct LexicographicPoints {
  std::vector<double> values;  // distinct vectors, increasing lexicographically, row-major
  size_t objectives = 0;
  std::vector<uint32_t> of_member;  // the number of each member's vector, in the order of the members

  size_t size() const { return objectives ? values.size() / objectives : 0; }
  double at(uint32_t point, size_t objective) const { return values[point * objectives + objective]; }
};

// Throws gos::Error when there are 2^32 members or more (they are numbered
// with 32 bits). The caller has checked the values (no NaN, no -inf).
LexicographicPoints lexicographic_points(Points points, std::span<const size_t> members);

// The rank of each member, from the ranks of the distinct vectors.
std::vector<size_t> member_ranks(const LexicographicPoints& points, std::span<const int32_t> distinct_ranks);

}  // namespace gos::moo
