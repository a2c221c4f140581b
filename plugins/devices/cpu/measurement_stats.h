#pragma once
// Statistics of repeated latency measurements, and the re-measure loop that
// refuses to report a median whose runs spread too much (a machine busy with
// other work gives such runs; their median is not a latency to trust).
#include <functional>
#include <vector>

#include "framework/device.h"

namespace gos {

struct TimingSummary {
  double median = 0;
  double q1 = 0;
  double q3 = 0;
  double iqr = 0;
  double mean = 0;
  double stddev = 0;  // sample standard deviation
  double cv = 0;      // stddev / mean
};

// Quantiles interpolate linearly between order statistics (Hyndman-Fan type 7,
// numpy's default). Throws gos::Error for an empty sample.
TimingSummary summarize(std::vector<double> samples);
// The same by sorting the whole sample: the reference summarize() is tested against.
TimingSummary summarize_by_sorting(std::vector<double> samples);
// The type-7 p-quantile (0 <= p <= 1) by partial selection, and by sorting
// (its reference). Throw gos::Error for an empty sample.
double quantile(std::vector<double> samples, double p);
double quantile_by_sorting(std::vector<double> samples, double p);

struct MeasurementConfig {
  int warmup = 5;             // untimed runs before each attempt
  int runs = 30;              // timed runs per attempt
  double max_spread = 0.05;   // largest accepted IQR / median
  int max_attempts = 5;       // attempts before giving up
  // Quantile of the timed runs reported as the latency (in
  // Measurement::median_ms). 0.5 is the median; on a machine shared with other
  // work, which only ever slows runs down, a lower quantile is less moved by
  // the runs it slowed.
  double quantile = 0.5;
};

// Times `run_once_ms` (one execution, returns its duration in milliseconds)
// in attempts of config.warmup + config.runs calls until the relative IQR is
// within config.max_spread, and reports config.quantile of the runs. Throws gos::Error naming `what`, the spread reached
// and the bound when no attempt is calm enough.
Measurement measure_until_stable(const std::function<double()>& run_once_ms, const MeasurementConfig& config,
                                 const std::string& what);

}  // namespace gos
