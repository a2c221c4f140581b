#pragma once
// Stage "search": the inner search of one slot as an ordinary GOS experiment
// (gos_graph space seeded with the operator, the configured strategy plugin,
// three in-process objectives) run by the framework's runner into
// search_<k>.h5. The objectives are looked up by name in the results file,
// never by position. Plain C++: candidates are scored through an interface.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "adapt/decision.h"
#include "framework/evaluation.h"
#include "framework/experiment.h"
#include "framework/params.h"
#include "searchspaces/gos/graph.h"

namespace gos {
class PluginRegistry;
}

namespace gos::adapt {

// The objective names of every inner search (results files, --set, docs).
inline constexpr const char* kLatencyObjective = "latency_ms";
inline constexpr const char* kParamsObjective = "params";
inline constexpr const char* kDropObjective = "accuracy_drop";
// The fourth objective when widths are searched ([adapt] bits).
inline constexpr const char* kBitOpsObjective = "bitops";

struct CandidateValues {
  double latency_ms = 0;     // the whole model with the candidate, as the latency model estimates it
  double params = 0;         // parameters of the whole model with the candidate
  double accuracy_drop = 0;  // points below the baseline on the search subset
  // BitOPs of the candidate operator (graph::count_bitops): the rest of the
  // model is the same for every candidate of a search, so ordering by it is
  // ordering by the whole model's. Filled by the search, not the scorer.
  double bitops = 0;
};

// Evaluates candidates of one slot (compile, accuracy estimate, latency).
class CandidateScorer {
 public:
  virtual ~CandidateScorer() = default;
  // May throw; the runner records a failed evaluation.
  virtual CandidateValues score(const graph::Graph& candidate) = 0;
  // What the latency values are (for the results file).
  virtual std::string latency_provenance() const = 0;
};

struct SearchRequest {
  std::string slot;
  graph::GraphSpec spec;            // the slot's shapes and the node limit
  std::vector<graph::Graph> seeds;  // the exact seed first, then its rewrites
  int64_t seed_walk = 2;
  std::vector<int> bits;     // widths of attribute b; non-empty adds the bitops objective
  ComponentConfig strategy;  // [adapt.strategy]
  double epsilon = 1;        // the accuracy-drop constraint
  uint64_t seed = 0;
  std::string name;              // experiment name
  std::string source;            // the adapt file (messages)
  std::string resolved_toml;     // what the search depends on; resuming checks it
  std::filesystem::path output;  // search_<k>.h5
  bool resume = false;           // continue the file when it exists
  bool progress = false;
  std::function<void(int64_t generation)> after_generation;
  EvaluationBackend* evaluation = nullptr;  // null: the scorer evaluates in this process
};

struct SearchResult {
  std::vector<FrontEntry> front;          // the final front, feasible or not
  std::vector<CandidateRow> evaluations;  // every evaluation, in order
  // The seed's latency as measured in this search (under the same load as
  // the candidates'), when it was evaluated.
  std::optional<double> seed_latency_ms;
  // Wall time of the whole search and the part spent scoring candidates: the
  // rest is the framework's (strategy, runner, results file) overhead.
  double seconds = 0;
  double scoring_seconds = 0;
};

// The search as an experiment: the space, the strategy and the three
// objectives over `scorer`, called once per genome (the objectives share a
// cache). Time spent in the scorer is added to `*scoring_seconds` when given.
// The MPI workers of `gos adapt` build the same to evaluate genomes.
Experiment search_experiment(const SearchRequest& request, CandidateScorer& scorer, PluginRegistry& registry,
                             double* scoring_seconds = nullptr);

// Runs (or resumes) the search and reads its results back by objective name.
// Throws gos::Error when the strategy cannot be created or the results file
// lacks one of the three objectives.
SearchResult run_search(const SearchRequest& request, CandidateScorer& scorer, PluginRegistry& registry);

// The index of objective `name` in `names`; gos::Error naming the file and the names there otherwise.
size_t objective_index(const std::vector<std::string>& names, const std::string& name,
                       const std::filesystem::path& file);

}  // namespace gos::adapt
