#include "plugins/strategies/nsga3/survival.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "framework/error.h"

namespace gos::nsga3 {
namespace {

constexpr double kAxisWeight = 1e-6;  // the ASF weight off the extreme point's own axis

// Solves A x = b (M x M, row-major) by Gaussian elimination with partial
// pivoting; false when A is numerically singular.
bool solve(std::vector<double> a, std::vector<double> b, size_t m, std::vector<double>& x) {
  for (size_t col = 0; col < m; ++col) {
    size_t pivot = col;
    for (size_t row = col + 1; row < m; ++row)
      if (std::fabs(a[row * m + col]) > std::fabs(a[pivot * m + col])) pivot = row;
    if (std::fabs(a[pivot * m + col]) < 1e-12) return false;
    if (pivot != col) {
      for (size_t k = 0; k < m; ++k) std::swap(a[col * m + k], a[pivot * m + k]);
      std::swap(b[col], b[pivot]);
    }
    for (size_t row = col + 1; row < m; ++row) {
      const double factor = a[row * m + col] / a[col * m + col];
      for (size_t k = col; k < m; ++k) a[row * m + k] -= factor * a[col * m + k];
      b[row] -= factor * b[col];
    }
  }
  x.assign(m, 0);
  for (size_t row = m; row-- > 0;) {
    double sum = b[row];
    for (size_t k = row + 1; k < m; ++k) sum -= a[row * m + k] * x[k];
    x[row] = sum / a[row * m + row];
  }
  return true;
}

}  // namespace

std::vector<double> normalize(moo::Points points) {
  const size_t n = points.size(), m = points.objectives;
  for (double v : points.values)
    if (!std::isfinite(v)) throw Error("nsga3 normalisation: every objective value must be finite");
  std::vector<double> translated(points.values.begin(), points.values.end());
  if (n == 0) return translated;
  std::vector<double> ideal(m, std::numeric_limits<double>::infinity());
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < m; ++j) ideal[j] = std::min(ideal[j], points[i][j]);
  std::vector<double> nadir(m, 0);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < m; ++j) {
      translated[i * m + j] -= ideal[j];
      nadir[j] = std::max(nadir[j], translated[i * m + j]);
    }
  // Extreme point of each axis: the smallest achievement scalarising function.
  std::vector<double> extremes(m * m);
  for (size_t axis = 0; axis < m; ++axis) {
    double best = std::numeric_limits<double>::infinity();
    size_t chosen = 0;
    for (size_t i = 0; i < n; ++i) {
      double asf = 0;
      for (size_t j = 0; j < m; ++j) asf = std::max(asf, translated[i * m + j] / (j == axis ? 1.0 : kAxisWeight));
      if (asf < best) best = asf, chosen = i;
    }
    std::copy_n(translated.begin() + static_cast<std::ptrdiff_t>(chosen * m), m,
                extremes.begin() + static_cast<std::ptrdiff_t>(axis * m));
  }
  // The hyperplane sum_j f_j / a_j = 1 through the extreme points: E x = 1, a_j = 1 / x_j.
  std::vector<double> x;
  std::vector<double> intercepts(m);
  bool degenerate = !solve(extremes, std::vector<double>(m, 1.0), m, x);
  for (size_t j = 0; j < m && !degenerate; ++j) {
    intercepts[j] = 1.0 / x[j];
    degenerate = !std::isfinite(intercepts[j]) || intercepts[j] <= 1e-6;
  }
  if (degenerate) intercepts = nadir;
  for (double& a : intercepts)
    if (!(a > 1e-12)) a = 1.0;  // an objective of zero range
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < m; ++j) translated[i * m + j] /= intercepts[j];
  return translated;
}

Association associate(moo::Points normalized, moo::Points directions) {
  if (normalized.objectives != directions.objectives)
    throw Error(fmt::format("nsga3: points have {} objectives but the reference directions {}",
                            normalized.objectives, directions.objectives));
  if (directions.size() == 0) throw Error("nsga3: no reference directions");
  const size_t m = normalized.objectives;
  std::vector<double> norms;
  for (size_t k = 0; k < directions.size(); ++k) {
    double squared = 0;
    for (double w : directions[k]) squared += w * w;
    norms.push_back(squared);
  }
  Association out;
  for (size_t i = 0; i < normalized.size(); ++i) {
    const auto f = normalized[i];
    double f_squared = 0;
    for (double v : f) f_squared += v * v;
    double best = std::numeric_limits<double>::infinity();
    size_t chosen = 0;
    for (size_t k = 0; k < directions.size(); ++k) {
      double dot = 0;
      for (size_t j = 0; j < m; ++j) dot += f[j] * directions[k][j];
      // |f - (f.w / w.w) w|^2 = |f|^2 - (f.w)^2 / w.w
      const double d = std::max(0.0, f_squared - dot * dot / norms[k]);
      if (d < best) best = d, chosen = k;
    }
    out.direction.push_back(chosen);
    out.distance.push_back(std::sqrt(best));
  }
  return out;
}

std::vector<size_t> survive(moo::Points points, std::span<const double> violations, size_t count,
                            moo::Points directions, Rng& rng) {
  const moo::Fronts fronts = moo::nondominated_sort(points, violations);
  const auto feasible = [&](size_t i) { return violations.empty() || violations[i] <= 0; };
  std::vector<size_t> survivors;
  size_t cut = fronts.size();
  for (size_t f = 0; f < fronts.size(); ++f) {
    if (survivors.size() + fronts[f].size() > count) {
      cut = f;
      break;
    }
    survivors.insert(survivors.end(), fronts[f].begin(), fronts[f].end());
  }
  if (cut == fronts.size() || survivors.size() == count) {
    std::sort(survivors.begin(), survivors.end());
    return survivors;
  }
  const std::vector<size_t>& last = fronts[cut];
  const size_t needed = count - survivors.size();
  if (!feasible(last.front())) {
    // Constraint-domination puts feasible fronts first, so the cut front is
    // all infeasible: smaller violation first.
    std::vector<size_t> order = last;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return violations[a] < violations[b]; });
    survivors.insert(survivors.end(), order.begin(), order.begin() + static_cast<std::ptrdiff_t>(needed));
    std::sort(survivors.begin(), survivors.end());
    return survivors;
  }
  // Normalise and associate the kept members (all feasible: they precede a
  // feasible front) together with the cut front.
  const size_t m = points.objectives;
  std::vector<size_t> considered = survivors;
  considered.insert(considered.end(), last.begin(), last.end());
  std::vector<double> values;
  values.reserve(considered.size() * m);
  for (size_t i : considered) values.insert(values.end(), points[i].begin(), points[i].end());
  const std::vector<double> normalized = normalize(moo::Points{values, m});
  const Association association = associate(moo::Points{normalized, m}, directions);

  std::vector<size_t> niche(directions.size(), 0);
  for (size_t k = 0; k < survivors.size(); ++k) ++niche[association.direction[k]];
  // Candidates of the cut front per direction, as positions in `considered`.
  std::vector<std::vector<size_t>> candidates(directions.size());
  for (size_t k = survivors.size(); k < considered.size(); ++k) candidates[association.direction[k]].push_back(k);
  std::vector<bool> open(directions.size(), true);
  for (size_t k = 0; k < directions.size(); ++k) open[k] = !candidates[k].empty();
  std::vector<size_t> least;
  for (size_t chosen = 0; chosen < needed; ++chosen) {
    size_t fewest = std::numeric_limits<size_t>::max();
    least.clear();
    for (size_t k = 0; k < directions.size(); ++k) {
      if (!open[k]) continue;
      if (niche[k] < fewest) fewest = niche[k], least.clear();
      if (niche[k] == fewest) least.push_back(k);
    }
    // `needed` <= size of the cut front, so some direction is still open.
    const size_t direction = least[rng.index(least.size())];
    std::vector<size_t>& pool = candidates[direction];
    size_t pick = 0;
    if (niche[direction] == 0) {
      for (size_t c = 1; c < pool.size(); ++c)
        if (association.distance[pool[c]] < association.distance[pool[pick]]) pick = c;
    } else {
      pick = rng.index(pool.size());
    }
    survivors.push_back(considered[pool[pick]]);
    pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(pick));
    ++niche[direction];
    if (pool.empty()) open[direction] = false;
  }
  std::sort(survivors.begin(), survivors.end());
  return survivors;
}

}  // namespace gos::nsga3
