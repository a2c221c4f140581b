#pragma once
// The sorting permutation of a column of objective values, by radix sort:
// the many-objective ranking sorts every objective once and crowding
// distance every objective of every front, and at tens of thousands of points
// comparison sorts of (value, index) pairs took a third of the ranking time.
#include <cstdint>
#include <span>
#include <vector>

namespace gos::moo {

// The indices 0..n-1 ordered by values[i] ascending, equal values by index:
// the order std::stable_sort gives. -0.0 equals 0.0. Values are numbers or
// +-inf (no NaN; the caller has checked). Needs n < 2^32.
std::vector<uint32_t> stable_order(std::span<const double> values);

}  // namespace gos::moo
