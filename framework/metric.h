#pragma once
// Typed names for what a search space can report about a genome without an
// external model (NASLib's Metric enum): tabular benchmarks answer accuracies,
// latencies and training time; test problems answer function values.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gos {

enum class Metric {
  kFunctionValue,   // a test problem's objective, `on` = "f1", "f2", ...
  kValidAccuracy,   // %, `on` = data set
  kTestAccuracy,    // %, `on` = data set
  kTrainTime,       // seconds of training, `on` = data set
  kLatency,         // milliseconds, `on` = device
  kParameters,      // count, `on` empty
  kFlops,           // multiply-accumulates x2, `on` empty
  kBitOps,          // sum over layers of MACs x weight bits x activation bits, `on` empty
  kModelBits,       // bits to store the parameters at their widths, `on` empty
};

const char* to_string(Metric metric);
std::optional<Metric> parse_metric(std::string_view text);
std::vector<std::string> metric_names();
// A value of the metric with its unit, for people: "94.37 %", "12.35 ms",
// "1.53 s", "1.234 M" parameters, "184.2 MFLOPs"; NaN as "n/a".
std::string format_metric_value(Metric metric, double value);

// One answerable query: a metric and what it is measured on.
struct MetricKey {
  Metric metric = Metric::kFunctionValue;
  std::string on;
  std::string to_string() const;  // "latency(raspi4)", "parameters"
  bool operator==(const MetricKey&) const = default;
};

}  // namespace gos
