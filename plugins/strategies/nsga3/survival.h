#pragma once
// NSGA-III survival (Deb & Jain 2014, "An Evolutionary Many-Objective
// Optimization Algorithm Using Reference-Point-Based Nondominated Sorting
// Approach, Part I"), as free functions so that each step is tested alone:
// whole fronts by constraint-domination, and the front that does not fit
// cut by niching around reference directions instead of by crowding
// distance, which in four or more objectives no longer separates points
// (almost every point of a large population is non-dominated, and crowding
// distances of many objectives mostly measure the extremes).
#include <cstddef>
#include <span>
#include <vector>

#include "framework/moo/nondominated_sort.h"
#include "framework/rng.h"

namespace gos::nsga3 {

// Normalisation of Deb & Jain, Section IV-C: objectives translated by the
// ideal point (the smallest value of each objective), then divided by the
// intercepts of the hyperplane through the M extreme points (for each axis,
// the point minimising the achievement scalarising function with weight 1 on
// that axis and 1e-6 elsewhere). Where that hyperplane is degenerate (extreme
// points linearly dependent, or an intercept not positive and finite), each
// objective is divided by its largest translated value instead, as pymoo
// does. Objectives of zero range are divided by 1. Returns the normalised
// points, row-major. Every value must be finite.
std::vector<double> normalize(moo::Points points);

// For each point (normalised), the reference direction nearest to it by
// perpendicular distance to the direction's line through the origin, and
// that distance.
struct Association {
  std::vector<size_t> direction;
  std::vector<double> distance;
};
Association associate(moo::Points normalized, moo::Points directions);

// Indices of the `count` survivors of `points` (minimisation), in increasing
// order: whole fronts by constraint-domination (moo::nondominated_sort), then
// from the first front that does not fit, members chosen one at a time for
// the direction with fewest associated survivors (ties at random); a
// direction nobody holds yet takes its nearest member, one that is held a
// random member. Normalisation and association use the feasible members of
// the fronts kept and the cut one; an infeasible cut front (there are fewer
// than `count` feasible points) keeps its members of smallest violation
// (lower index on ties), as constraint-domination orders them.
std::vector<size_t> survive(moo::Points points, std::span<const double> violations, size_t count,
                            moo::Points directions, Rng& rng);

}  // namespace gos::nsga3
