#include "adapt/search.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <tuple>

#include "framework/error.h"
#include "framework/plugin_registry.h"
#include "framework/rng.h"
#include "framework/runner.h"
#include "searchspaces/gos/space.h"

namespace gos::adapt {
namespace {

// One value of the scorer's result, as an objective of the experiment. The
// three objectives share one scorer call per genome through a cache.
class CandidateObjective : public Objective {
 public:
  using Pick = double CandidateValues::*;
  CandidateObjective(std::function<const CandidateValues&(const Genome&)> values, Pick pick, std::string name,
                     std::string measure)
      : values_(std::move(values)), pick_(pick), name_(std::move(name)), measure_(std::move(measure)) {}
  std::string default_name() const override { return name_; }
  Direction default_direction() const override { return Direction::kMinimize; }
  double evaluate(const Genome& genome, const SearchSpace&) override { return values_(genome).*pick_; }
  std::map<std::string, std::string> provenance() const override { return {{"measure", measure_}}; }

 private:
  std::function<const CandidateValues&(const Genome&)> values_;
  Pick pick_;
  std::string name_;
  std::string measure_;
};

}  // namespace

size_t objective_index(const std::vector<std::string>& names, const std::string& name,
                       const std::filesystem::path& file) {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return i;
  throw Error(fmt::format("{}: the search results have no objective '{}' (objectives: {})", file.string(), name,
                          fmt::join(names, ", ")));
}

Experiment search_experiment(const SearchRequest& request, CandidateScorer& scorer, PluginRegistry& registry,
                             double* scoring_seconds) {
  graph::GraphSpaceConfig space_config;
  space_config.input = request.spec.input;
  space_config.output = request.spec.output;
  space_config.max_nodes = request.spec.max_nodes;
  space_config.seed_graphs = request.seeds;
  space_config.seed_walk = static_cast<int>(request.seed_walk);
  space_config.bits = request.bits;
  Experiment experiment;
  experiment.space = std::make_unique<graph::GraphSpace>(space_config);
  experiment.mutator = experiment.space->default_mutator();
  ExperimentConfig& ec = experiment.config;
  ec.source = request.source;
  ec.name = request.name;
  ec.seed = request.seed;
  ec.output = request.output;
  ec.strategy = request.strategy;
  experiment.strategy = registry.create<Strategy>(ec.strategy, PluginKind::kStrategy);

  // Owned by the objectives, which live as long as the experiment.
  auto cache = std::make_shared<std::map<std::string, CandidateValues>>();
  const auto values = [cache, &scorer, scoring_seconds](const Genome& genome) -> const CandidateValues& {
    const graph::Graph& graph = graph::GraphSpace::cast(genome);
    const std::string key = graph::serialize(graph);
    if (auto it = cache->find(key); it != cache->end()) return it->second;
    const auto start = std::chrono::steady_clock::now();
    CandidateValues scored = scorer.score(graph);
    scored.bitops = graph::count_bitops(graph);
    if (scoring_seconds)
      *scoring_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return cache->emplace(key, scored).first->second;
  };
  std::vector<std::tuple<CandidateObjective::Pick, const char*, std::string>> objectives = {
      {&CandidateValues::latency_ms, kLatencyObjective, scorer.latency_provenance()},
      {&CandidateValues::params, kParamsObjective, "parameters of the whole adapted model"},
      {&CandidateValues::accuracy_drop, kDropObjective,
       "baseline minus candidate accuracy (points) on the same held-out subset"}};
  if (!request.bits.empty())
    objectives.emplace_back(&CandidateValues::bitops, kBitOpsObjective,
                            "BitOPs of the candidate operator: MACs x b x b over its conv, pconv and dwconv nodes");
  for (const auto& [pick, name, measure] : objectives) {
    experiment.objectives.push_back(std::make_unique<CandidateObjective>(values, pick, name, measure));
    ObjectiveRole role;
    role.name = name;
    if (pick == &CandidateValues::accuracy_drop) {
      role.optimize = false;
      role.max = request.epsilon;
    }
    experiment.roles.push_back(role);
  }
  ec.resolved_toml = request.resolved_toml;
  ec.fingerprint = fmt::format("{:016x}", stable_hash(ec.resolved_toml));
  return experiment;
}

SearchResult run_search(const SearchRequest& request, CandidateScorer& scorer, PluginRegistry& registry) {
  double scoring_seconds = 0;
  Experiment experiment = search_experiment(request, scorer, registry, &scoring_seconds);
  const ExperimentConfig& ec = experiment.config;
  RunOptions options;
  options.resume = request.resume && std::filesystem::exists(ec.output);
  options.overwrite = !options.resume;
  options.progress = request.progress;
  options.attributes = {{"adapt.slot", request.slot}};
  options.evaluation = request.evaluation;
  if (request.after_generation)
    options.on_generation = [&](const GenerationRecord& row) { request.after_generation(row.generation); };
  const auto start = std::chrono::steady_clock::now();
  run_experiment(experiment, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const RunResults results = read_results(ec.output);
  std::vector<std::string> names;
  for (const ObjectiveInfo& objective : results.objectives) names.push_back(objective.name);
  const size_t latency = objective_index(names, kLatencyObjective, ec.output);
  const size_t params = objective_index(names, kParamsObjective, ec.output);
  const size_t drop = objective_index(names, kDropObjective, ec.output);
  SearchResult result;
  result.seconds = seconds;
  result.scoring_seconds = scoring_seconds;
  const std::string seed_genome = request.seeds.empty() ? "" : graph::serialize(request.seeds.front());
  for (const EvaluationRecord& record : results.evaluations) {
    const bool feasible = !record.failed && record.violation <= 0;
    result.evaluations.push_back({record.genome, record.values.at(latency), record.values.at(params),
                                  record.values.at(drop), feasible, record.failed, record.cached});
    if (record.genome == seed_genome && !record.failed) result.seed_latency_ms = record.values.at(latency);
  }
  for (int64_t id : results.front) {
    const CandidateRow& row = result.evaluations.at(static_cast<size_t>(id));
    result.front.push_back({row.genome, row.latency_ms, row.params, row.accuracy_drop, row.feasible});
  }
  return result;
}

}  // namespace gos::adapt
