#pragma once
// `gos adapt`: adapts a zoo model to this CPU by replacing its least efficient
// operators with searched GOS instruction graphs (docs/ADAPT.md). Plain C++
// interface; the LibTorch work happens in pipeline.cc and its stages.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "adapt/config.h"
#include "framework/evaluation.h"

namespace gos {
class PluginRegistry;
}

namespace gos::adapt {

// What an MPI worker needs, beside the run directory, to build inner search
// `iteration` as rank 0 builds it (`mpirun -n K gos adapt`, docs/ADAPT.md).
struct SearchStart {
  size_t iteration = 0;
  std::string slot;
  double model_ms = 0;                  // the whole model at the iteration start: the base of candidate latencies
  double baseline_search_accuracy = 0;  // the reference of the accuracy drop
};

// Where the inner searches evaluate their candidates, when not in this
// process (cli/adapt_mpi.cc: the MPI workers).
class SearchEvaluation {
 public:
  virtual ~SearchEvaluation() = default;
  // Called when search `start.iteration` (into `output`) begins, before this
  // process builds its own evaluator; the backend evaluates the search's
  // genomes and is destroyed when the search ends.
  virtual std::unique_ptr<EvaluationBackend> begin(const SearchStart& start, const std::filesystem::path& output) = 0;
};

struct AdaptOptions {
  std::filesystem::path output;  // the run directory
  bool resume = false;           // continue the run recorded in output/adapt.h5
  bool overwrite = false;        // start over in an existing run directory (keeps a matching baseline.ckpt)
  bool progress = true;          // one line per step on stderr
  // Called after every generation of every inner search with the iteration
  // index and the generation; an exception thrown here interrupts the run
  // like a crash would (tests use it to check --resume).
  std::function<void(size_t iteration, int64_t generation)> after_generation;
  // Null: candidates are evaluated in this process.
  SearchEvaluation* evaluation = nullptr;
};

struct AdaptSummary {
  std::filesystem::path output;
  size_t iterations = 0;
  int64_t modified = 0;
  double baseline_ms = 0;  // both re-measured at the end of the run, alternating
  double final_ms = 0;
  double speedup = 0;
  double baseline_accuracy = 0;
  double final_accuracy = 0;
  std::string stop_reason;
  bool already_complete = false;
};

// The run directory used when none is given: results/adapt/<config name>.
std::filesystem::path default_output(const AdaptConfig& config);

// Runs (or resumes) the adaptation. The registry provides the nsga2 strategy
// plugin. Throws gos::Error for unusable data, a run directory that exists
// without --resume / --overwrite, or a resume of another configuration;
// adapt.h5 then says status "failed" and stays readable.
AdaptSummary run_adapt(const AdaptConfig& config, const AdaptOptions& options, PluginRegistry& registry);

}  // namespace gos::adapt
