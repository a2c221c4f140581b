#pragma once
// A lookup table learned from whole-model latencies instead of profiled
// kernels: per-key latencies (and one per-model overhead) that minimise the
// squared error of the sums over the given models, by ridge-regularised
// least squares. For a space whose kernels repeat across models (ofa_mbv3:
// under 2,000 keys over any number of sub-networks) this recovers an
// additive table from data sets such as NAS_PerformanceEstimation's GPU
// measurements, and exactly reproduces a data set that a table produced.
// Keys that always occur together (e.g. the stem and the classifier at one
// resolution) are not separable; the ridge term splits their sum evenly,
// which leaves every prediction of a model made of such keys unchanged.
#include <vector>

#include "plugins/latency/lut/latency_table.h"

namespace gos {

struct LutFit {
  double ridge = 1e-6;  // relative to the mean diagonal of the normal equations
};

// Throws gos::Error for mismatched or empty lists.
LatencyTable fit_latency_table(const std::vector<std::vector<Kernel>>& models, const std::vector<double>& latency_ms,
                               const LutFit& config = {});

// Solves (A + ridge I) x = b for symmetric positive semi-definite A (n x n,
// row-major) by Cholesky; the reference used by fit_latency_table.
std::vector<double> solve_ridge(std::vector<double> a, std::vector<double> b, size_t n, double ridge);

}  // namespace gos
