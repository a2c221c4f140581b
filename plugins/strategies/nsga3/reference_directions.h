#pragma once
// Reference directions of NSGA-III (Deb & Jain 2014): the Das-Dennis
// simplex lattice, every point of the unit simplex whose coordinates are
// multiples of 1/p.
#include <cstddef>
#include <vector>

namespace gos::nsga3 {

// Number of Das-Dennis directions for M objectives and p divisions:
// C(M + p - 1, p). Saturates at SIZE_MAX instead of overflowing.
size_t direction_count(size_t objectives, size_t divisions);

// The C(M + p - 1, p) directions, row-major (direction k is
// values[k*M .. k*M+M)), each summing to 1, in lexicographically decreasing
// order of coordinates. Throws gos::Error for M < 1 or p < 1.
std::vector<double> das_dennis(size_t objectives, size_t divisions);

// The largest p >= 1 whose direction count does not exceed `population`
// (so that there is at least one member per direction), or 1 when even p = 1
// gives more directions than members.
size_t divisions_for(size_t objectives, size_t population);

}  // namespace gos::nsga3
