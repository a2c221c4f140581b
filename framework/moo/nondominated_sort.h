#pragma once
// Non-dominated sorting and crowding distance (Deb et al. 2002, NSGA-II).
//
// nondominated_sort() is the Efficient Non-dominated Sort with binary search
// (ENS-BS, Zhang et al. 2015): points are visited in lexicographic order, so a
// point can only be dominated by points already placed, and each point is
// placed in the first front none of whose members dominates it. With two
// objectives a front is checked against its last member only, and with three
// against a staircase of its members in (f2, f3), which makes the sort
// O(N log^2 N) for M <= 3. Four or more objectives, where fronts hold most
// of the population and a front scan would be O(M N^2) comparisons, go to
// the bitset ranking of bitset_sort.h (O(M N^2 / 64) word operations) while
// its memory stays within budget, else to the divide-and-conquer ranking of
// divide_and_conquer_sort.h, O(N log^(M-1) N).
// naive_nondominated_sort() is the O(M N^2) textbook version,
// kept as the reference the fast one is tested against.
#include <cstddef>
#include <span>
#include <vector>

namespace gos::moo {

// N points of M objectives (minimisation), stored row-major: point i is
// values[i*M .. i*M+M).
struct Points {
  std::span<const double> values;
  size_t objectives = 0;

  size_t size() const { return objectives ? values.size() / objectives : 0; }
  std::span<const double> operator[](size_t i) const { return values.subspan(i * objectives, objectives); }
};

// Fronts by constraint-domination (feasible before infeasible, smaller
// violation first, then Pareto dominance). Front 0 is the non-dominated set.
// Each front lists point indices in increasing order. `violations` is empty
// (everything feasible) or one value >= 0 per point; +inf marks a failed
// evaluation. Throws gos::Error for zero objectives, NaN or -inf objectives,
// NaN or negative violations, naming the point and objective.
using Fronts = std::vector<std::vector<size_t>>;
Fronts nondominated_sort(Points points, std::span<const double> violations = {});
Fronts naive_nondominated_sort(Points points, std::span<const double> violations = {});

// The rank (front number) of every point, from fronts.
std::vector<size_t> ranks_of(const Fronts& fronts, size_t points);

// Crowding distance of the members of one front, in the order of `front`:
// per objective, the gap between a point's two neighbours divided by the
// objective's range in the front. The extreme points of each objective get
// +inf so the ends of the front are always kept. Objectives whose range is zero
// or not finite (failed evaluations) add nothing.
std::vector<double> crowding_distance(Points points, std::span<const size_t> front);

// Checks the input contract of nondominated_sort() and throws gos::Error.
void check_points(Points points, std::span<const double> violations);

}  // namespace gos::moo
