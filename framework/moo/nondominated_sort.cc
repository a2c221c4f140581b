#include "framework/moo/nondominated_sort.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>

#include "framework/error.h"
#include "framework/moo/bitset_sort.h"
#include "framework/moo/divide_and_conquer_sort.h"
#include "framework/moo/value_order.h"
#include "framework/pareto.h"

namespace gos::moo {

void check_points(Points points, std::span<const double> violations) {
  if (points.objectives == 0) throw Error("non-dominated sorting needs at least one objective; got zero");
  if (points.values.size() % points.objectives != 0)
    throw Error(fmt::format("{} objective values do not form whole points of {} objectives", points.values.size(),
                            points.objectives));
  const size_t n = points.size();
  if (!violations.empty() && violations.size() != n)
    throw Error(fmt::format("{} constraint violations given for {} points", violations.size(), n));
  for (size_t i = 0; i < n; ++i) {
    const auto row = points[i];
    for (size_t j = 0; j < row.size(); ++j)
      if (std::isnan(row[j]) || row[j] == -std::numeric_limits<double>::infinity())
        throw Error(fmt::format("objective {} of point {} is {}; objectives must be numbers or +inf (a failed "
                                "evaluation)",
                                j, i, row[j]));
    if (!violations.empty() && !(violations[i] >= 0))
      throw Error(fmt::format("constraint violation of point {} is {}; it must be >= 0 (0 = feasible)", i,
                              violations[i]));
  }
}

namespace {

bool feasible(std::span<const double> violations, size_t i) { return violations.empty() || violations[i] <= 0; }

// Fronts of the infeasible points: by violation alone, equal violations share a front.
Fronts sort_infeasible(std::vector<size_t> infeasible, std::span<const double> violations) {
  std::stable_sort(infeasible.begin(), infeasible.end(),
                   [&](size_t a, size_t b) { return violations[a] < violations[b]; });
  Fronts fronts;
  for (size_t k = 0; k < infeasible.size(); ++k) {
    if (k == 0 || violations[infeasible[k]] != violations[infeasible[k - 1]]) fronts.emplace_back();
    fronts.back().push_back(infeasible[k]);
  }
  return fronts;
}

void sort_members(Fronts& fronts) {
  for (auto& front : fronts) std::sort(front.begin(), front.end());
}

}  // namespace

Fronts nondominated_sort(Points points, std::span<const double> violations) {
  check_points(points, violations);
  const size_t m = points.objectives;
  std::vector<size_t> order, infeasible;
  for (size_t i = 0; i < points.size(); ++i) (feasible(violations, i) ? order : infeasible).push_back(i);
  Fronts fronts;
  if (m >= 4) {
    // The front scan below grows with the front size, which is most of the
    // population with many objectives. The bitset ranking is quadratic in
    // 64-bit words and the fastest up to its memory budget; the divide and
    // conquer takes the rest (huge populations, thousands of fronts).
    const LexicographicPoints distinct = lexicographic_points(points, order);
    std::optional<std::vector<int32_t>> distinct_ranks = bitset_ranks(distinct);
    if (!distinct_ranks) distinct_ranks = divide_and_conquer_ranks(distinct);
    const std::vector<size_t> ranks = member_ranks(distinct, *distinct_ranks);
    for (size_t k = 0; k < order.size(); ++k) {
      if (ranks[k] >= fronts.size()) fronts.resize(ranks[k] + 1);
      fronts[ranks[k]].push_back(order[k]);  // `order` is increasing, so members stay sorted
    }
    for (auto& front : sort_infeasible(std::move(infeasible), violations)) fronts.push_back(std::move(front));
    return fronts;
  }
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const auto pa = points[a], pb = points[b];
    for (size_t j = 0; j < m; ++j)
      if (pa[j] != pb[j]) return pa[j] < pb[j];
    return a < b;
  });

  // With three objectives each front also keeps its staircase: the members
  // minimal in (f2, f3), keyed by f2 with f3 strictly decreasing, each with
  // the smallest f1 seen for its (f2, f3). Members precede p
  // lexicographically (f1 <= p's), so a member dominates p exactly when it is
  // <= p in (f2, f3) and not equal to p; the staircase answers that with one
  // lookup instead of a scan of the front.
  struct Step {
    double f3, f1;
  };
  std::vector<std::map<double, Step>> staircases;
  auto dominated_by_staircase = [&](const std::map<double, Step>& staircase, std::span<const double> p) {
    auto it = staircase.upper_bound(p[1]);
    if (it == staircase.begin()) return false;
    --it;  // the step with the largest f2 <= p's, so the smallest f3 among those
    if (it->second.f3 > p[2]) return false;
    if (it->first < p[1] || it->second.f3 < p[2]) return true;
    return it->second.f1 < p[0];  // equal in (f2, f3): only a smaller f1 dominates
  };
  auto add_to_staircase = [&](std::map<double, Step>& staircase, std::span<const double> p) {
    auto it = staircase.upper_bound(p[1]);
    if (it != staircase.begin() && std::prev(it)->second.f3 <= p[2]) return;  // covered: p adds no new step
    auto last = staircase.lower_bound(p[1]);
    auto first = last;
    while (last != staircase.end() && last->second.f3 >= p[2]) ++last;
    staircase.erase(first, last);
    staircase.emplace(p[1], Step{p[2], p[0]});
  };
  // Whether some member of front k dominates point p. Members precede p in
  // lexicographic order, so p never dominates them and only one direction
  // needs checking; the most recently added members are the likeliest
  // dominators, hence the backward scan.
  auto dominated_by = [&](size_t k, size_t p) {
    const auto point = points[p];
    if (m == 2) {
      // Members of a two-objective front are sorted by f1 with f2
      // non-increasing, so the last member has the smallest f2 and dominates
      // p if anyone does.
      const auto last = points[fronts[k].back()];
      return last[1] < point[1] || (last[1] == point[1] && last[0] < point[0]);
    }
    if (m == 3) return dominated_by_staircase(staircases[k], point);
    for (auto it = fronts[k].rbegin(); it != fronts[k].rend(); ++it)
      if (dominates(points[*it], point)) return true;
    return false;
  };
  for (size_t p : order) {
    // Domination by front k implies domination by every earlier front, so the
    // first front that does not dominate p is found by binary search.
    size_t lo = 0, hi = fronts.size();
    while (lo < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      if (dominated_by(mid, p))
        lo = mid + 1;
      else
        hi = mid;
    }
    if (lo == fronts.size()) {
      fronts.emplace_back();
      if (m == 3) staircases.emplace_back();
    }
    fronts[lo].push_back(p);
    if (m == 3) add_to_staircase(staircases[lo], points[p]);
  }
  for (auto& front : sort_infeasible(std::move(infeasible), violations)) fronts.push_back(std::move(front));
  sort_members(fronts);
  return fronts;
}

Fronts naive_nondominated_sort(Points points, std::span<const double> violations) {
  check_points(points, violations);
  const size_t n = points.size();
  auto violation = [&](size_t i) { return violations.empty() ? 0.0 : violations[i]; };
  std::vector<size_t> dominated_count(n, 0);
  std::vector<std::vector<size_t>> dominated_set(n);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j)
      if (i != j && constraint_dominates(points[i], violation(i), points[j], violation(j))) {
        dominated_set[i].push_back(j);
        ++dominated_count[j];
      }
  Fronts fronts;
  std::vector<size_t> current;
  for (size_t i = 0; i < n; ++i)
    if (dominated_count[i] == 0) current.push_back(i);
  while (!current.empty()) {
    std::vector<size_t> next;
    for (size_t i : current)
      for (size_t j : dominated_set[i])
        if (--dominated_count[j] == 0) next.push_back(j);
    fronts.push_back(std::move(current));
    current = std::move(next);
  }
  sort_members(fronts);
  return fronts;
}

std::vector<size_t> ranks_of(const Fronts& fronts, size_t points) {
  std::vector<size_t> ranks(points, std::numeric_limits<size_t>::max());
  for (size_t f = 0; f < fronts.size(); ++f)
    for (size_t i : fronts[f]) ranks[i] = f;
  return ranks;
}

std::vector<double> crowding_distance(Points points, std::span<const size_t> front) {
  const size_t n = front.size();
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  std::vector<double> distance(n, 0.0);
  if (n <= 2) {
    distance.assign(n, kInfinity);
    return distance;
  }
  std::vector<double> column(n);
  for (size_t j = 0; j < points.objectives; ++j) {
    for (size_t k = 0; k < n; ++k) column[k] = points.values[front[k] * points.objectives + j];
    // Stable: equal values keep the front's order, so results are reproducible.
    const std::vector<uint32_t> order = stable_order(column);
    distance[order.front()] = kInfinity;
    distance[order.back()] = kInfinity;
    const double range = column[order.back()] - column[order.front()];
    if (!(range > 0) || !std::isfinite(range)) continue;
    for (size_t k = 1; k + 1 < n; ++k) distance[order[k]] += (column[order[k + 1]] - column[order[k - 1]]) / range;
  }
  return distance;
}

}  // namespace gos::moo
