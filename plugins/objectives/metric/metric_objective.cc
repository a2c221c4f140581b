// The `metric` objective: a number the search space itself answers (a test
// function's value, a tabular benchmark's accuracy or latency, a parameter
// count), named by the typed Metric enum and what it is measured on.
#include <fmt/format.h>

#include <algorithm>

#include "framework/objective.h"
#include "framework/plugin_abi.h"
#include "framework/search_space.h"
#include "framework/text.h"

namespace gos {
namespace {

class MetricObjective : public Objective {
 public:
  explicit MetricObjective(MetricKey key) : key_(std::move(key)) {}

  std::string default_name() const override { return key_.on.empty() ? to_string(key_.metric) : key_.on; }
  Direction default_direction() const override {
    const bool accuracy = key_.metric == Metric::kTestAccuracy || key_.metric == Metric::kValidAccuracy;
    return accuracy ? Direction::kMaximize : Direction::kMinimize;
  }
  void bind(const SearchSpace& space) override {
    const auto offered = space.metrics();
    if (std::find(offered.begin(), offered.end(), key_) != offered.end()) return;
    std::vector<std::string> names;
    for (const MetricKey& key : offered) names.push_back(key.to_string());
    throw Error(fmt::format("metric '{}' is not offered{}; the space offers: {}", key_.to_string(),
                            did_you_mean(key_.to_string(), names), names.empty() ? "(none)" : join(names, ", ")));
  }
  double evaluate(const Genome& genome, const SearchSpace& space) override { return space.query(genome, key_); }

 private:
  MetricKey key_;
};

ParamSchema schema() {
  ParamSchema s;
  s.string("metric", std::nullopt, "what to read from the search space", metric_names())
      .string("on", "", "what it is measured on: f1/f2 for test functions, a data set, a device");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  return std::make_unique<MetricObjective>(
      MetricKey{*parse_metric(params.get_string("metric")), params.get_string("on")});
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("metric", gos::PluginKind::kObjective, "1.0.0",
           "A metric the search space answers itself (test function value, tabular accuracy/latency, parameters)",
           &gos::schema, &gos::create)
