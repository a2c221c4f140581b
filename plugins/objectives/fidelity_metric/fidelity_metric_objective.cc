// The `fidelity_metric` objective: one number the search space answers at
// several fidelities, each its own metric: NAS-Bench-201's accuracy after 12
// and after 200 training epochs, for instance. A multi-fidelity strategy
// (hyperband) asks for a budget; the objective answers with the metric of
// that level; a plain evaluation reads the last (full) level.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "framework/objective.h"
#include "framework/plugin_abi.h"
#include "framework/search_space.h"
#include "framework/text.h"

namespace gos {
namespace {

bool is_accuracy(Metric metric) { return metric == Metric::kTestAccuracy || metric == Metric::kValidAccuracy; }

class FidelityMetricObjective : public Objective {
 public:
  FidelityMetricObjective(std::string key, std::vector<double> levels, std::vector<MetricKey> metrics)
      : levels_(std::move(levels)), metrics_(std::move(metrics)) {
    const bool integral =
        std::all_of(levels_.begin(), levels_.end(), [](double level) { return level == std::round(level); });
    fidelity_ = Fidelity{std::move(key), levels_.front(), levels_.back(), levels_, integral};
  }

  std::string default_name() const override {
    return metrics_.back().on.empty() ? to_string(metrics_.back().metric) : metrics_.back().on;
  }
  Direction default_direction() const override {
    return is_accuracy(metrics_.back().metric) ? Direction::kMaximize : Direction::kMinimize;
  }
  void bind(const SearchSpace& space) override {
    const auto offered = space.metrics();
    for (const MetricKey& key : metrics_) {
      if (std::find(offered.begin(), offered.end(), key) != offered.end()) continue;
      std::vector<std::string> names;
      for (const MetricKey& k : offered) names.push_back(k.to_string());
      throw Error(fmt::format("metric '{}' is not offered{}; the space offers: {}", key.to_string(),
                              did_you_mean(key.to_string(), names), names.empty() ? "(none)" : join(names, ", ")));
    }
  }
  double evaluate(const Genome& genome, const SearchSpace& space) override {
    return space.query(genome, metrics_.back());
  }
  std::optional<Fidelity> fidelity() const override { return fidelity_; }
  std::vector<BatchValue> evaluate_all_at(const std::vector<const Genome*>& genomes, const SearchSpace& space,
                                          double budget) override {
    const auto level = std::find(levels_.begin(), levels_.end(), budget);
    if (level == levels_.end())
      throw Error(fmt::format("budget {} is not one of this objective's levels ({})", budget, fidelity_.describe()));
    const MetricKey& key = metrics_[static_cast<size_t>(level - levels_.begin())];
    std::vector<BatchValue> values(genomes.size());
    for (size_t i = 0; i < genomes.size(); ++i) {
      try {
        values[i].value = space.query(*genomes[i], key);
      } catch (const std::exception& e) {
        values[i].error = e.what();
      }
    }
    return values;
  }
  std::map<std::string, std::string> provenance() const override {
    std::vector<std::string> levels;
    for (size_t i = 0; i < levels_.size(); ++i)
      levels.push_back(fmt::format("{} {} = {}", levels_[i], fidelity_.key, metrics_[i].to_string()));
    return {{"fidelity", join(levels, "; ")}};
  }

 private:
  std::vector<double> levels_;
  std::vector<MetricKey> metrics_;
  Fidelity fidelity_;
};

ParamSchema schema() {
  ParamSchema s;
  s.string("fidelity", "epochs", "what the budgets count")
      .reals("budgets", std::nullopt, 0, 1e300, "the fidelity of each level, ascending; the last is full fidelity")
      .strings("metrics", std::nullopt, "the metric read at each level", metric_names())
      .strings("on", std::nullopt, "what each level's metric is measured on, e.g. cifar10@12ep and cifar10");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  const std::vector<double>& budgets = params.get_reals("budgets");
  const std::vector<std::string>& metrics = params.get_strings("metrics");
  const std::vector<std::string>& on = params.get_strings("on");
  if (budgets.empty()) throw params.error("budgets", "needs at least one level");
  for (size_t i = 1; i < budgets.size(); ++i)
    if (budgets[i] <= budgets[i - 1]) throw params.error("budgets", "must be strictly ascending");
  if (metrics.size() != budgets.size())
    throw params.error(
        "metrics", fmt::format("has {} entries for {} budgets; give one per budget", metrics.size(), budgets.size()));
  if (on.size() != budgets.size())
    throw params.error("on",
                       fmt::format("has {} entries for {} budgets; give one per budget", on.size(), budgets.size()));
  std::vector<MetricKey> keys;
  for (size_t i = 0; i < budgets.size(); ++i) {
    keys.push_back({*parse_metric(metrics[i]), on[i]});
    if (is_accuracy(keys[i].metric) != is_accuracy(keys.front().metric))
      throw params.error("metrics", "mixes accuracies with other metrics; every level must rank the same way");
  }
  return std::make_unique<FidelityMetricObjective>(params.get_string("fidelity"), budgets, std::move(keys));
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("fidelity_metric", gos::PluginKind::kObjective, "1.0.0",
           "A metric the search space answers at several fidelities (e.g. accuracy after 12 and 200 epochs)",
           &gos::schema, &gos::create)
