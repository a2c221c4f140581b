#include "plugins/latency/lut/lut_fit.h"

#include <fmt/format.h>

#include <cmath>
#include <unordered_map>

#include "framework/error.h"

namespace gos {

std::vector<double> solve_ridge(std::vector<double> a, std::vector<double> b, size_t n, double ridge) {
  if (a.size() != n * n || b.size() != n) throw Error("solve_ridge: matrix and vector sizes do not match");
  double trace = 0;
  for (size_t i = 0; i < n; ++i) trace += a[i * n + i];
  const double shift = ridge * (n > 0 ? trace / double(n) : 0) + 1e-300;
  for (size_t i = 0; i < n; ++i) a[i * n + i] += shift;
  // In-place Cholesky: the lower triangle of `a` becomes L with A = L L^T.
  for (size_t j = 0; j < n; ++j) {
    double diagonal = a[j * n + j];
    for (size_t k = 0; k < j; ++k) diagonal -= a[j * n + k] * a[j * n + k];
    if (!(diagonal > 0)) throw Error("solve_ridge: the regularised system is not positive definite");
    const double l = std::sqrt(diagonal);
    a[j * n + j] = l;
    for (size_t i = j + 1; i < n; ++i) {
      double value = a[i * n + j];
      for (size_t k = 0; k < j; ++k) value -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = value / l;
    }
  }
  for (size_t i = 0; i < n; ++i) {  // L y = b
    for (size_t k = 0; k < i; ++k) b[i] -= a[i * n + k] * b[k];
    b[i] /= a[i * n + i];
  }
  for (size_t i = n; i-- > 0;) {  // L^T x = y
    for (size_t k = i + 1; k < n; ++k) b[i] -= a[k * n + i] * b[k];
    b[i] /= a[i * n + i];
  }
  return b;
}

LatencyTable fit_latency_table(const std::vector<std::vector<Kernel>>& models, const std::vector<double>& latency_ms,
                               const LutFit& config) {
  if (models.size() != latency_ms.size() || models.empty())
    throw Error(fmt::format("fitting a lookup table needs one latency per model and at least one model ({} models, "
                            "{} latencies)",
                            models.size(), latency_ms.size()));
  LatencyTable table;
  std::unordered_map<std::string, size_t> column;
  std::vector<std::vector<std::pair<size_t, double>>> counts(models.size());
  for (size_t m = 0; m < models.size(); ++m) {
    std::unordered_map<size_t, double> per_key;
    for (const Kernel& kernel : models[m]) {
      const auto [it, added] = column.emplace(kernel.key, table.keys.size() + 1);  // column 0: the overhead
      if (added) table.keys.push_back(kernel.key);
      per_key[it->second] += 1;
    }
    counts[m].emplace_back(0, 1.0);
    counts[m].insert(counts[m].end(), per_key.begin(), per_key.end());
  }
  const size_t n = table.keys.size() + 1;
  std::vector<double> normal(n * n, 0.0), rhs(n, 0.0);
  for (size_t m = 0; m < models.size(); ++m)
    for (const auto& [i, ci] : counts[m]) {
      rhs[i] += ci * latency_ms[m];
      for (const auto& [j, cj] : counts[m]) normal[i * n + j] += ci * cj;
    }
  const std::vector<double> x = solve_ridge(std::move(normal), std::move(rhs), n, config.ridge);
  table.overhead_ms = x[0];
  table.kernel_scale = 1;
  table.latency_ms.assign(x.begin() + 1, x.end());
  return table;
}

}  // namespace gos
