#include "plugins/devices/cpu/measurement_stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "framework/error.h"

namespace gos {
namespace {

void require_samples(const std::vector<double>& samples) {
  if (samples.empty()) throw Error("cannot summarise an empty set of timed runs");
}

void fill_moments(const std::vector<double>& samples, TimingSummary& summary) {
  const double n = static_cast<double>(samples.size());
  summary.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / n;
  double squares = 0;
  for (double x : samples) squares += (x - summary.mean) * (x - summary.mean);
  summary.stddev = samples.size() > 1 ? std::sqrt(squares / (n - 1)) : 0.0;
  summary.cv = summary.mean > 0 ? summary.stddev / summary.mean : 0.0;
  summary.iqr = summary.q3 - summary.q1;
}

// Type-7 quantile with partial selection: only the two order statistics that
// the quantile interpolates between are put in place, O(n) instead of a sort.
double select_quantile(std::vector<double>& samples, double p) {
  const double position = p * static_cast<double>(samples.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(position));
  const double fraction = position - static_cast<double>(below);
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(below), samples.end());
  const double low = samples[below];
  if (fraction == 0 || below + 1 >= samples.size()) return low;
  // After nth_element everything right of `below` is >= low, so the next
  // order statistic is the minimum of that part.
  const double high = *std::min_element(samples.begin() + static_cast<std::ptrdiff_t>(below) + 1, samples.end());
  return low + fraction * (high - low);
}

double sorted_quantile(const std::vector<double>& sorted, double p) {
  const double position = p * static_cast<double>(sorted.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (position - static_cast<double>(below)) * (sorted[above] - sorted[below]);
}

}  // namespace

TimingSummary summarize(std::vector<double> samples) {
  require_samples(samples);
  TimingSummary summary;
  summary.median = select_quantile(samples, 0.5);
  summary.q1 = select_quantile(samples, 0.25);
  summary.q3 = select_quantile(samples, 0.75);
  fill_moments(samples, summary);
  return summary;
}

TimingSummary summarize_by_sorting(std::vector<double> samples) {
  require_samples(samples);
  std::sort(samples.begin(), samples.end());
  TimingSummary summary;
  summary.median = sorted_quantile(samples, 0.5);
  summary.q1 = sorted_quantile(samples, 0.25);
  summary.q3 = sorted_quantile(samples, 0.75);
  fill_moments(samples, summary);
  return summary;
}

double quantile(std::vector<double> samples, double p) {
  require_samples(samples);
  return select_quantile(samples, p);
}

double quantile_by_sorting(std::vector<double> samples, double p) {
  require_samples(samples);
  std::sort(samples.begin(), samples.end());
  return sorted_quantile(samples, p);
}

Measurement measure_until_stable(const std::function<double()>& run_once_ms, const MeasurementConfig& config,
                                 const std::string& what) {
  if (config.runs < 1 || config.max_attempts < 1 || config.warmup < 0 || !(config.quantile >= 0) ||
      config.quantile > 1)
    throw Error(fmt::format("measurement of {} needs runs >= 1, max_attempts >= 1, warmup >= 0 and 0 <= quantile <= 1",
                            what));
  double spread = 0;
  std::vector<double> times(static_cast<size_t>(config.runs));
  for (int attempt = 0; attempt < config.max_attempts; ++attempt) {
    for (int i = 0; i < config.warmup; ++i) run_once_ms();
    for (double& t : times) t = run_once_ms();
    const TimingSummary summary = summarize(times);
    spread = summary.median > 0 ? summary.iqr / summary.median : 0.0;
    if (spread <= config.max_spread) {
      const double reported = config.quantile == 0.5 ? summary.median : quantile(times, config.quantile);
      return Measurement{reported, summary.iqr, summary.cv, config.runs};
    }
  }
  throw Error(fmt::format(
      "measurement of {} is not repeatable: after {} attempts of {} runs the spread (IQR / median) is still "
      "{:.1f}%, above the bound max_spread = {:.1f}%; the device is busy, or raise max_spread / runs",
      what, config.max_attempts, config.runs, 100 * spread, 100 * config.max_spread));
}

}  // namespace gos
