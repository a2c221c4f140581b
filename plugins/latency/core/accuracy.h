#pragma once
// How well predicted latencies match measured ones: the figures latency
// predictor papers report (nn-Meter: RMSE, ±5/±10% accuracy; HELP/BRP-NAS:
// Kendall tau, which is what a search cares about — ranking).
#include <filesystem>
#include <string>
#include <vector>

namespace gos {

struct AccuracyReport {
  size_t count = 0;
  double rmse_ms = 0;
  // Mean absolute error: what NAS_PerformanceEstimation's test "RMSE" is
  // (per-model sqrt(err^2 + 1e-6), averaged).
  double mae_ms = 0;
  double mape = 0;       // mean |predicted - measured| / measured, as a fraction
  double within_5 = 0;   // share with relative error <= 5%
  double within_10 = 0;  // share with relative error <= 10%
  double kendall_tau = 0;
};

// Throws gos::Error when the lists differ in length, are empty, or a measured
// latency is not positive.
AccuracyReport compare_latencies(const std::vector<double>& predicted_ms, const std::vector<double>& measured_ms);

// Kendall's tau-b (ties in either list handled), by counting all pairs.
double kendall_tau(const std::vector<double>& a, const std::vector<double>& b);

// A predicted-vs-measured scatter plot with the y = x line and ±10% bands.
void write_scatter_svg(const std::filesystem::path& path, const std::vector<double>& predicted_ms,
                       const std::vector<double>& measured_ms, const std::string& title);

}  // namespace gos
