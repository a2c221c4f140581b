#pragma once
// `gos adapt` under an MPI launcher (docs/ADAPT.md, "Over MPI"): rank 0 runs
// the pipeline; the inner searches' candidates are evaluated by the other
// ranks (adapt/search_worker.h). Torch command library only.
#include <string>
#include <vector>

#include "adapt/adapt.h"

namespace gos {
class PluginRegistry;
}

namespace gos::cli {

struct AdaptArgs {
  std::string file;
  std::vector<std::string> overrides;
  std::string output;  // empty: adapt::default_output
  bool quiet = false;
};

// The configuration of `args`, its input files checked; sets `output` to the run directory.
adapt::AdaptConfig load_adapt_args(const AdaptArgs& args, PluginRegistry& registry, std::filesystem::path& output);

// Runs (or resumes) the adaptation and writes report.html (also after a
// failure that got as far as the record); prints the summary line.
int run_adapt_and_report(const adapt::AdaptConfig& config, const adapt::AdaptOptions& options, PluginRegistry& registry,
                         bool quiet);

// Every rank of the job calls this. Rank 0 checks that all ranks run the
// same configuration and build (mpi::agree), then runs the pipeline with the
// workers evaluating; a worker serves searches until rank 0 ends the job.
int adapt_on_mpi_ranks(const AdaptArgs& args, adapt::AdaptOptions options, PluginRegistry& registry);

}  // namespace gos::cli
