// Out-of-line pieces of the interfaces: anchors for type information and the
// default implementations of optional capabilities.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "framework/device.h"
#include "framework/error.h"
#include "framework/genome.h"
#include "framework/latency_model.h"
#include "framework/metric.h"
#include "framework/objective.h"
#include "framework/search_space.h"
#include "framework/tabular_space.h"
#include "framework/text.h"

namespace gos {

Genome::~Genome() = default;
Workload::~Workload() = default;

std::vector<MeasureOutcome> Device::measure_all(const std::vector<Workload*>& workloads) {
  std::vector<MeasureOutcome> outcomes(workloads.size());
  for (size_t i = 0; i < workloads.size(); ++i) {
    try {
      outcomes[i].measurement = measure(*workloads[i]);
    } catch (const DeviceLost&) {
      throw;
    } catch (const std::exception& e) {
      outcomes[i].error = e.what();
    }
  }
  return outcomes;
}

namespace {
constexpr Metric kAllMetrics[] = {Metric::kFunctionValue, Metric::kValidAccuracy, Metric::kTestAccuracy,
                                  Metric::kTrainTime,     Metric::kLatency,       Metric::kParameters,
                                  Metric::kFlops,         Metric::kBitOps,        Metric::kModelBits};
}

const char* to_string(Metric metric) {
  switch (metric) {
    case Metric::kFunctionValue: return "function";
    case Metric::kValidAccuracy: return "valid_accuracy";
    case Metric::kTestAccuracy: return "test_accuracy";
    case Metric::kTrainTime: return "train_time";
    case Metric::kLatency: return "latency";
    case Metric::kParameters: return "parameters";
    case Metric::kFlops: return "flops";
    case Metric::kBitOps: return "bitops";
    case Metric::kModelBits: return "model_bits";
  }
  return "unknown";
}

std::optional<Metric> parse_metric(std::string_view text) {
  for (Metric metric : kAllMetrics)
    if (text == to_string(metric)) return metric;
  return std::nullopt;
}

std::vector<std::string> metric_names() {
  std::vector<std::string> names;
  for (Metric metric : kAllMetrics) names.emplace_back(to_string(metric));
  return names;
}

std::string format_metric_value(Metric metric, double value) {
  if (std::isnan(value)) return "n/a";
  switch (metric) {
    case Metric::kValidAccuracy:
    case Metric::kTestAccuracy: return fmt::format("{:.2f} %", value);
    case Metric::kLatency: return fmt::format("{:.4g} ms", value);
    case Metric::kTrainTime: return fmt::format("{:.4g} s", value);
    case Metric::kParameters:
      return value >= 1e6 ? fmt::format("{:.4g} M", value / 1e6) : fmt::format("{:.0f}", value);
    case Metric::kFlops: return fmt::format("{:.4g} MFLOPs", value / 1e6);
    case Metric::kBitOps: return fmt::format("{:.4g} GBitOPs", value / 1e9);
    case Metric::kModelBits: return fmt::format("{:.4g} KiB", value / 8 / 1024);
    case Metric::kFunctionValue: break;
  }
  return fmt::format("{:.6g}", value);
}

std::string MetricKey::to_string() const {
  return on.empty() ? std::string(gos::to_string(metric)) : fmt::format("{}({})", gos::to_string(metric), on);
}

const char* to_string(Direction direction) {
  return direction == Direction::kMinimize ? "minimize" : "maximize";
}

double ObjectiveRole::violation(double value) const {
  double amount = 0;
  if (max && value > *max) amount += value - *max;
  if (min && value < *min) amount += *min - value;
  return amount;
}

std::vector<GenomePtr> SearchSpace::neighbours(const Genome& genome, Rng& rng, size_t limit) const {
  const auto mutator = default_mutator();
  std::vector<GenomePtr> result;
  std::vector<std::string> seen{serialize(genome)};
  // Mutations may repeat; a bounded number of draws keeps this finite for tiny spaces.
  for (size_t attempt = 0; result.size() < limit && attempt < 20 * limit; ++attempt) {
    GenomePtr child = mutator->mutate(*this, genome, rng);
    std::string text = serialize(*child);
    if (std::find(seen.begin(), seen.end(), text) != seen.end()) continue;
    seen.push_back(std::move(text));
    result.push_back(std::move(child));
  }
  return result;
}

std::pair<GenomePtr, GenomePtr> SearchSpace::crossover(const Genome&, const Genome&, Rng&) const {
  throw Unsupported("this search space does not support crossover");
}

double SearchSpace::query(const Genome&, const MetricKey& key) const {
  std::vector<std::string> offered;
  for (const MetricKey& m : metrics()) offered.push_back(m.to_string());
  throw Unsupported(fmt::format("this search space cannot answer metric '{}'; it offers: {}", key.to_string(),
                                offered.empty() ? "(none)" : join(offered, ", ")));
}

std::vector<Kernel> SearchSpace::kernels(const Genome&) const {
  throw Unsupported("this search space cannot list per-operator kernels (needed by lookup-table latency models)");
}

std::unique_ptr<Workload> SearchSpace::workload(const Genome&) const {
  throw Unsupported("this search space cannot build a runnable model (needed to measure latency on a device)");
}

std::unique_ptr<Workload> SearchSpace::kernel_workload(const Kernel& kernel) const {
  throw Unsupported(fmt::format("this search space cannot run kernel '{}' alone (needed to profile a lookup table)",
                                kernel.key));
}

TabularGenomes::~TabularGenomes() = default;

GenomeModel SearchSpace::model(const Genome&) const {
  throw Unsupported("this search space cannot build a trainable model for a genome (needed by zero-cost proxies)");
}

std::map<std::string, std::string> Objective::provenance() const { return {}; }
std::map<std::string, std::string> LatencyModel::provenance() const { return {}; }

namespace {

// f(genome) for each genome; a failure is that genome's error, except a lost device.
template <typename F>
std::vector<BatchValue> one_by_one(const std::vector<const Genome*>& genomes, F f) {
  std::vector<BatchValue> values(genomes.size());
  for (size_t i = 0; i < genomes.size(); ++i) {
    try {
      values[i].value = f(*genomes[i]);
    } catch (const DeviceLost&) {
      throw;
    } catch (const std::exception& e) {
      values[i].error = e.what();
    }
  }
  return values;
}

}  // namespace

std::vector<BatchValue> Objective::evaluate_all(const std::vector<const Genome*>& genomes, const SearchSpace& space) {
  return one_by_one(genomes, [&](const Genome& genome) { return evaluate(genome, space); });
}

std::vector<BatchValue> Objective::evaluate_all_at(const std::vector<const Genome*>& genomes, const SearchSpace& space,
                                                  double budget) {
  (void)genomes;
  (void)space;
  throw Error(fmt::format("objective '{}' declares no fidelity and cannot be evaluated at budget {}", default_name(),
                          budget));
}

bool Fidelity::honours(double budget) const {
  if (!std::isfinite(budget) || budget < min || budget > full) return false;
  if (integral && budget != std::round(budget)) return false;
  return levels.empty() || std::find(levels.begin(), levels.end(), budget) != levels.end();
}

std::string Fidelity::describe() const {
  if (!levels.empty()) {
    std::vector<std::string> texts;
    for (double level : levels) texts.push_back(fmt::format("{}", level));
    return fmt::format("{}, one of {}", key, join(texts, ", "));
  }
  return fmt::format("{} in [{}, {}]{}", key, min, full, integral ? ", whole numbers" : "");
}

std::vector<BatchValue> LatencyModel::predict_all(const std::vector<const Genome*>& genomes,
                                                  const SearchSpace& space) {
  return one_by_one(genomes, [&](const Genome& genome) { return predict_ms(genome, space); });
}

}  // namespace gos
