#pragma once
// Quality indicators of an approximation of a Pareto front (minimisation).
#include <span>

#include "framework/moo/nondominated_sort.h"

namespace gos::moo {

// The volume dominated by `points` and bounded by `reference`, exactly, for 2
// objectives (a sweep, O(N log N)) and 3 objectives (slices along the third
// objective, O(N^2)). Points that do not strictly dominate the reference point
// add nothing; dominated points and duplicates are harmless. Throws gos::Error
// for other numbers of objectives, a reference of the wrong length, or
// non-finite reference coordinates.
double hypervolume(Points points, std::span<const double> reference);

// The same volume by brute force over the grid of all point coordinates
// (O(N^(M+1))), for any number of objectives: the reference hypervolume() is
// tested against on small random sets.
double naive_hypervolume(Points points, std::span<const double> reference);

// Inverted generational distance: the mean, over the points of the true front,
// of the Euclidean distance to the nearest point of the approximation. Throws
// gos::Error when either set is empty or their objective counts differ.
double igd(Points approximation, Points true_front);

}  // namespace gos::moo
