#pragma once
// An MPI worker of `mpirun -n K gos adapt` (cli/adapt_mpi.cc): it builds each
// inner search rank 0 starts exactly as rank 0 built it -- the model rebuilt
// from the run directory as --resume rebuilds it, the slot's activations, a
// CandidateEvaluator and the search's experiment -- and evaluates genomes
// with it. The run directory must be on a file system every rank reads.
// Include only from torch translation units.
#include <filesystem>
#include <memory>
#include <optional>

#include "adapt/adapt.h"
#include "adapt/baseline.h"
#include "adapt/candidate.h"
#include "adapt/latency.h"

namespace gos::adapt {

class SearchWorker {
 public:
  // Loads the data and creates the latency model as run_adapt does; throws
  // gos::Error when it cannot (a missing data file, plugin or table).
  SearchWorker(const AdaptConfig& config, std::filesystem::path output, PluginRegistry& registry);
  SearchWorker(const SearchWorker&) = delete;
  SearchWorker& operator=(const SearchWorker&) = delete;

  // The experiment of search `start.iteration`, valid until the next call.
  // Throws gos::Error naming the run directory when it does not hold the
  // iterations before this one (another file system than rank 0's) or the
  // model cannot be rebuilt.
  Experiment& prepare(const SearchStart& start);

 private:
  const AdaptConfig& config_;
  RunDirectory run_;
  PluginRegistry& registry_;
  AdaptData data_;
  AdaptLatency latency_;
  // Destroyed in reverse order: the experiment's objectives use the evaluator, which uses the model.
  std::shared_ptr<SlottedModel> model_;
  std::unique_ptr<CandidateEvaluator> evaluator_;
  std::optional<Experiment> experiment_;
};

}  // namespace gos::adapt
