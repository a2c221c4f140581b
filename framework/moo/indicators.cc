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

// NaN and -inf have no volume or distance; +inf (a failed evaluation) is
// simply far away.
void check_values(Points points, const char* indicator) {
  for (size_t i = 0; i < points.size(); ++i)
    for (size_t j = 0; j < points.objectives; ++j) {
      const double v = points[i][j];
      if (std::isnan(v) || v == -std::numeric_limits<double>::infinity())
        throw Error(
            fmt::format("{}: objective {} of point {} is {}; objectives must be numbers or +inf", indicator, j, i, v));
    }
}

void check_reference(Points points, std::span<const double> reference) {
  if (reference.size() != points.objectives)
    throw Error(fmt::format("hypervolume reference point has {} coordinates but the points have {} objectives",
                            reference.size(), points.objectives));
  for (size_t j = 0; j < reference.size(); ++j)
    if (!std::isfinite(reference[j]))
      throw Error(fmt::format("hypervolume reference coordinate {} is {}; it must be finite", j, reference[j]));
  check_values(points, "hypervolume");
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

// Volume dominated in objectives 0..2 by `kept` (each at least three
// coordinates, sorted by objective 2) below the first three reference
// coordinates. Sweep along objective 2: between consecutive values the
// cross-section is the 2-D front of every point seen so far, kept as a
// staircase map x -> y with y strictly decreasing in x. Its area is updated
// by what each new point adds, and every point leaves the staircase at most
// once, so the sweep is O(N log N).
double volume_3d(std::span<const std::span<const double>> kept, std::span<const double> reference) {
  std::map<double, double> staircase;
  double area = 0, volume = 0;
  for (size_t k = 0; k < kept.size(); ++k) {
    const double x = kept[k][0], y = kept[k][1];
    const auto after = staircase.upper_bound(x);
    const bool dominated = after != staircase.begin() && std::prev(after)->second <= y;
    if (!dominated) {
      // The steps at or right of x that the point covers, up to the first
      // step lower than y (or the reference).
      auto first = staircase.lower_bound(x), last = first;
      while (last != staircase.end() && last->second >= y) ++last;
      const double end_x = last == staircase.end() ? reference[0] : last->first;
      // Added area: between the old staircase height and y, from x to end_x.
      double height = first == staircase.begin() ? reference[1] : std::prev(first)->second;
      double cursor = x;
      for (auto step = first; step != last; ++step) {
        area += (step->first - cursor) * (height - y);
        cursor = step->first;
        height = step->second;
      }
      area += (end_x - cursor) * (height - y);
      staircase.erase(first, last);
      staircase.emplace(x, y);
    }
    const double next_z = k + 1 < kept.size() ? kept[k + 1][2] : reference[2];
    volume += area * (next_z - kept[k][2]);
  }
  return volume;
}

bool weakly_dominates_3d(std::span<const double> a, std::span<const double> b) {
  return a[0] <= b[0] && a[1] <= b[1] && a[2] <= b[2];
}

// Four objectives: slices along objective 3. Between consecutive values of
// it the cross-section is the 3-D volume of the points seen so far. A point
// whose first three objectives are weakly dominated by a point already seen
// changes no later cross-section and is dropped, so the slices only hold the
// 3-D non-dominated set (kept sorted by objective 2 by insertion). O(N^2 log N).
double volume_4d(std::vector<std::span<const double>> kept, std::span<const double> reference) {
  std::sort(kept.begin(), kept.end(), [](auto a, auto b) { return a[3] < b[3]; });
  std::vector<std::span<const double>> slice;  // 3-D non-dominated, sorted by objective 2
  double section = 0, volume = 0;
  for (size_t k = 0; k < kept.size(); ++k) {
    const auto p = kept[k];
    const bool covered = std::any_of(slice.begin(), slice.end(), [&](auto q) { return weakly_dominates_3d(q, p); });
    if (!covered) {
      std::erase_if(slice, [&](auto q) { return weakly_dominates_3d(p, q); });
      slice.insert(std::upper_bound(slice.begin(), slice.end(), p, [](auto a, auto b) { return a[2] < b[2]; }), p);
      section = volume_3d(slice, reference);
    }
    const double next = k + 1 < kept.size() ? kept[k + 1][3] : reference[3];
    volume += section * (next - p[3]);
  }
  return volume;
}

}  // namespace

double hypervolume(Points points, std::span<const double> reference) {
  if (points.objectives < 2 || points.objectives > 4)
    throw Error(
        fmt::format("exact hypervolume is implemented for 2 to 4 objectives; got {} (for more, use "
                    "estimate_hypervolume, a Monte-Carlo estimate with a confidence interval)",
                    points.objectives));
  check_reference(points, reference);
  auto kept = inside(points, reference);
  if (points.objectives == 2) {
    std::vector<std::pair<double, double>> xy;
    for (auto p : kept) xy.emplace_back(p[0], p[1]);
    std::sort(xy.begin(), xy.end());
    return area_2d(xy, reference[0], reference[1]);
  }
  if (points.objectives == 4) return volume_4d(std::move(kept), reference);
  std::sort(kept.begin(), kept.end(), [](auto a, auto b) { return a[2] < b[2]; });
  return volume_3d(kept, reference);
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

namespace {

void check_distance_sets(Points approximation, Points true_front, const char* indicator) {
  if (approximation.size() == 0 || true_front.size() == 0)
    throw Error(fmt::format("{} needs a non-empty approximation and true front; got {} and {} points", indicator,
                            approximation.size(), true_front.size()));
  if (approximation.objectives != true_front.objectives)
    throw Error(fmt::format("{}: the approximation has {} objectives but the true front has {}", indicator,
                            approximation.objectives, true_front.objectives));
  check_values(approximation, indicator);
  check_values(true_front, indicator);
}

// Mean over the true front of the distance to the nearest approximation
// point, for a distance given as a squared per-coordinate term.
template <typename Term>
double mean_nearest_distance(Points approximation, Points true_front, Term term) {
  double total = 0;
  for (size_t r = 0; r < true_front.size(); ++r) {
    double nearest = std::numeric_limits<double>::infinity();
    for (size_t a = 0; a < approximation.size(); ++a) {
      double squared = 0;
      for (size_t j = 0; j < true_front.objectives; ++j) squared += term(approximation[a][j], true_front[r][j]);
      nearest = std::min(nearest, squared);
    }
    total += std::sqrt(nearest);
  }
  return total / static_cast<double>(true_front.size());
}

}  // namespace

double igd(Points approximation, Points true_front) {
  check_distance_sets(approximation, true_front, "IGD");
  return mean_nearest_distance(approximation, true_front, [](double a, double z) { return (a - z) * (a - z); });
}

double igd_plus(Points approximation, Points true_front) {
  check_distance_sets(approximation, true_front, "IGD+");
  return mean_nearest_distance(approximation, true_front, [](double a, double z) {
    const double worse = std::max(a - z, 0.0);  // only where the approximation is worse
    return worse * worse;
  });
}

namespace {

// The z with P(|N(0,1)| <= z) = confidence, by bisection on erfc.
double normal_quantile_two_sided(double confidence) {
  double lo = 0, hi = 40;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (std::erfc(mid / std::sqrt(2.0)) > 1 - confidence ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

HypervolumeEstimate estimate_hypervolume(Points points, std::span<const double> reference, size_t samples, Rng& rng,
                                         double confidence) {
  check_reference(points, reference);
  if (samples == 0) throw Error("hypervolume estimate: samples must be at least 1");
  if (!(confidence > 0 && confidence < 1))
    throw Error(fmt::format("hypervolume estimate: confidence = {} must lie strictly between 0 and 1", confidence));
  const size_t m = points.objectives;
  const auto kept = inside(points, reference);
  HypervolumeEstimate estimate;
  estimate.samples = samples;
  if (kept.empty()) return estimate;
  // Sampling box: from the smallest coordinate of the points to the reference.
  std::vector<double> lower(reference.begin(), reference.end());
  for (auto p : kept)
    for (size_t j = 0; j < m; ++j) lower[j] = std::min(lower[j], p[j]);
  double box = 1;
  for (size_t j = 0; j < m; ++j) box *= reference[j] - lower[j];
  // Only the non-dominated points can cover a sample.
  std::vector<double> kept_values;
  for (auto p : kept) kept_values.insert(kept_values.end(), p.begin(), p.end());
  const Points kept_points{kept_values, m};
  std::vector<std::span<const double>> front;
  const Fronts fronts = nondominated_sort(kept_points);
  for (size_t i : fronts.front()) front.push_back(kept_points[i]);
  std::vector<double> sample(m);
  size_t hits = 0;
  for (size_t s = 0; s < samples; ++s) {
    for (size_t j = 0; j < m; ++j) sample[j] = rng.uniform(lower[j], reference[j]);
    hits += std::any_of(front.begin(), front.end(), [&](auto p) {
      for (size_t j = 0; j < m; ++j)
        if (p[j] > sample[j]) return false;
      return true;
    });
  }
  // Wilson score interval for the covered fraction, scaled by the box.
  const double n = static_cast<double>(samples), fraction = static_cast<double>(hits) / n;
  const double z = normal_quantile_two_sided(confidence), z2 = z * z;
  const double centre = (fraction + z2 / (2 * n)) / (1 + z2 / n);
  const double half = z / (1 + z2 / n) * std::sqrt(fraction * (1 - fraction) / n + z2 / (4 * n * n));
  estimate.value = box * fraction;
  estimate.standard_error = box * std::sqrt(fraction * (1 - fraction) / n);
  // The interval contains the fraction; min/max only undo rounding at 0 and 1.
  estimate.lower = std::min(estimate.value, box * std::max(0.0, centre - half));
  estimate.upper = std::max(estimate.value, box * std::min(1.0, centre + half));
  return estimate;
}

}  // namespace gos::moo
