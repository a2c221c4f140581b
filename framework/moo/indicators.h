#pragma once
// Quality indicators of an approximation of a Pareto front (minimisation).
#include <cstddef>
#include <span>

#include "framework/moo/nondominated_sort.h"
#include "framework/rng.h"

namespace gos::moo {

// The volume dominated by `points` and bounded by `reference`, exactly, for 2
// objectives (a sweep) and 3 objectives (slices along the third objective
// with an incrementally updated staircase), both O(N log N), and 4 objectives
// (slices along the fourth, each a 3-D sweep over the 3-D non-dominated
// points seen so far), O(N^2 log N). Points that do not strictly dominate the
// reference point add nothing; dominated points and duplicates are harmless.
// Throws gos::Error for other numbers of objectives, a reference of the
// wrong length, non-finite reference coordinates, NaN or -inf objectives.
double hypervolume(Points points, std::span<const double> reference);

// The same volume by brute force over the grid of all point coordinates
// (O(N^(M+1))), for any number of objectives: the reference hypervolume() is
// tested against on small random sets.
double naive_hypervolume(Points points, std::span<const double> reference);

// A Monte-Carlo estimate of hypervolume(), for any number of objectives:
// `samples` uniform points in the box from the points' smallest coordinates
// to the reference, each tested against the non-dominated points (O(samples
// x front x M)). `value` is the box volume times the covered fraction,
// `standard_error` its binomial standard error, and [lower, upper] the Wilson
// score interval at `confidence` (two-sided), which stays inside [0, box]
// also when almost no or almost every sample is covered. The relative error
// shrinks as 1/sqrt(samples): 10^5 samples give about 0.3% of the box.
// Deterministic for a given rng state. Throws gos::Error for zero samples, a
// confidence outside (0, 1), and the inputs hypervolume() rejects.
struct HypervolumeEstimate {
  double value = 0;
  double standard_error = 0;
  double lower = 0, upper = 0;
  size_t samples = 0;
};
HypervolumeEstimate estimate_hypervolume(Points points, std::span<const double> reference, size_t samples, Rng& rng,
                                         double confidence = 0.95);

// Inverted generational distance: the mean, over the points of the true front,
// of the Euclidean distance to the nearest point of the approximation. Throws
// gos::Error when either set is empty, their objective counts differ, or a
// value is NaN or -inf.
double igd(Points approximation, Points true_front);

// IGD+ (Ishibuchi et al. 2015): as igd(), but a coordinate counts only where
// the approximation point is worse than the true-front point, so the
// distance is zero for a point that dominates it. Weakly Pareto compliant,
// unlike IGD. Same errors as igd().
double igd_plus(Points approximation, Points true_front);

}  // namespace gos::moo
