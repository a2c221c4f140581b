#include "framework/moo/indicators.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <vector>

#include "framework/error.h"

namespace gos::moo {
namespace {

void check_reference(Points points, std::span<const double> reference) {
  if (reference.size() != points.objectives)
    throw Error(fmt::format("hypervolume reference point has {} coordinates but the points have {} objectives",
                            reference.size(), points.objectives));
  for (size_t j = 0; j < reference.size(); ++j)
    if (!std::isfinite(reference[j]))
      throw Error(fmt::format("hypervolume reference coordinate {} is {}; it must be finite", j, reference[j]));
  for (size_t i = 0; i < points.size(); ++i)
    for (double v : points[i])
      if (std::isnan(v)) throw Error(fmt::format("hypervolume: point {} has a NaN objective", i));
}

// Points strictly better than the reference in every objective.
std::vector<std::span<const double>> inside(Points points, std::span<const double> reference) {
  std::vector<std::span<const double>> kept;
  for (size_t i = 0; i < points.size(); ++i) {
    const auto p = points[i];
    bool in = true;
    for (size_t j = 0; j < p.size(); ++j) in = in && p[j] < reference[j];
    if (in) kept.push_back(p);
  }
  return kept;
}

// Area dominated by 2-D points (x, y) sorted by x ascending, below (rx, ry).
double area_2d(const std::vector<std::pair<double, double>>& sorted, double rx, double ry) {
  double area = 0, best_y = ry;
  for (size_t k = 0; k < sorted.size(); ++k) {
    best_y = std::min(best_y, sorted[k].second);
    const double next_x = k + 1 < sorted.size() ? sorted[k + 1].first : rx;
    area += (next_x - sorted[k].first) * (ry - best_y);
  }
  return area;
}

}  // namespace

double hypervolume(Points points, std::span<const double> reference) {
  if (points.objectives != 2 && points.objectives != 3)
    throw Error(fmt::format("exact hypervolume is implemented for 2 and 3 objectives; got {}", points.objectives));
  check_reference(points, reference);
  auto kept = inside(points, reference);
  if (points.objectives == 2) {
    std::vector<std::pair<double, double>> xy;
    for (auto p : kept) xy.emplace_back(p[0], p[1]);
    std::sort(xy.begin(), xy.end());
    return area_2d(xy, reference[0], reference[1]);
  }
  // Sweep along z: between consecutive z values the cross-section is the 2-D
  // front of every point seen so far, kept as a staircase map x -> y with y
  // strictly decreasing in x; its area is recomputed per slice (O(N) each).
  std::sort(kept.begin(), kept.end(), [](auto a, auto b) { return a[2] < b[2]; });
  std::map<double, double> staircase;
  double area = 0, volume = 0;
  for (size_t k = 0; k < kept.size(); ++k) {
    const double x = kept[k][0], y = kept[k][1];
    const auto after = staircase.upper_bound(x);
    const bool dominated = after != staircase.begin() && std::prev(after)->second <= y;
    if (!dominated) {
      auto first = staircase.lower_bound(x), last = first;
      while (last != staircase.end() && last->second >= y) ++last;
      staircase.erase(first, last);
      staircase.emplace(x, y);
      area = 0;
      for (auto step = staircase.begin(); step != staircase.end(); ++step) {
        const double step_end = std::next(step) == staircase.end() ? reference[0] : std::next(step)->first;
        area += (step_end - step->first) * (reference[1] - step->second);
      }
    }
    const double next_z = k + 1 < kept.size() ? kept[k + 1][2] : reference[2];
    volume += area * (next_z - kept[k][2]);
  }
  return volume;
}

double naive_hypervolume(Points points, std::span<const double> reference) {
  check_reference(points, reference);
  const auto kept = inside(points, reference);
  const size_t m = points.objectives;
  if (kept.empty()) return 0;
  // Grid lines: every coordinate of every point plus the reference. A grid
  // cell is dominated exactly when its lower corner is.
  std::vector<std::vector<double>> lines(m);
  for (size_t j = 0; j < m; ++j) {
    for (auto p : kept) lines[j].push_back(p[j]);
    lines[j].push_back(reference[j]);
    std::sort(lines[j].begin(), lines[j].end());
    lines[j].erase(std::unique(lines[j].begin(), lines[j].end()), lines[j].end());
  }
  std::vector<size_t> cell(m, 0);
  double volume = 0;
  while (true) {
    bool covered = false;
    for (auto p : kept) {
      bool dominates_corner = true;
      for (size_t j = 0; j < m && dominates_corner; ++j) dominates_corner = p[j] <= lines[j][cell[j]];
      if ((covered = dominates_corner)) break;
    }
    if (covered) {
      double cell_volume = 1;
      for (size_t j = 0; j < m; ++j) cell_volume *= lines[j][cell[j] + 1] - lines[j][cell[j]];
      volume += cell_volume;
    }
    size_t j = 0;
    while (j < m && ++cell[j] + 1 == lines[j].size()) cell[j++] = 0;
    if (j == m) break;
  }
  return volume;
}

double igd(Points approximation, Points true_front) {
  if (approximation.size() == 0 || true_front.size() == 0)
    throw Error(fmt::format("IGD needs a non-empty approximation and true front; got {} and {} points",
                            approximation.size(), true_front.size()));
  if (approximation.objectives != true_front.objectives)
    throw Error(fmt::format("IGD: the approximation has {} objectives but the true front has {}",
                            approximation.objectives, true_front.objectives));
  double total = 0;
  for (size_t r = 0; r < true_front.size(); ++r) {
    double nearest = std::numeric_limits<double>::infinity();
    for (size_t a = 0; a < approximation.size(); ++a) {
      double squared = 0;
      for (size_t j = 0; j < true_front.objectives; ++j) {
        const double d = approximation[a][j] - true_front[r][j];
        squared += d * d;
      }
      nearest = std::min(nearest, squared);
    }
    total += std::sqrt(nearest);
  }
  return total / static_cast<double>(true_front.size());
}

}  // namespace gos::moo
