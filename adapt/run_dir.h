#pragma once
// Stage "run directory and record": what a run directory holds, when it may
// be reused, and the cache key of its baseline. Plain C++.
#include <filesystem>
#include <optional>
#include <string>

#include "adapt/adapt.h"
#include "adapt/config.h"
#include "adapt/results.h"
#include "framework/device.h"

namespace gos::adapt {

// What the baseline weights depend on; a cached baseline.ckpt is reused only
// when this is unchanged (baseline.key in the run directory).
std::string baseline_key(const AdaptConfig& config);

struct RunDirectory {
  std::filesystem::path dir;
  std::filesystem::path record() const { return dir / "adapt.h5"; }
  std::filesystem::path baseline_checkpoint() const { return dir / "baseline.ckpt"; }
  std::filesystem::path baseline_key_file() const { return dir / "baseline.key"; }
  std::filesystem::path checkpoint(size_t iteration) const;  // model_<k>.ckpt: the weights after iteration k
  // The weights the model had before iteration k: baseline.ckpt for k = 0, else model_<k-1>.ckpt.
  std::filesystem::path weights_before(size_t iteration) const {
    return iteration == 0 ? baseline_checkpoint() : checkpoint(iteration - 1);
  }
  std::filesystem::path search_file(size_t iteration) const;  // search_<k>.h5
  std::filesystem::path report() const { return dir / "report.html"; }
};

// The /info of a new run: model, configuration, latency model and device
// (the properties "model" = CPU model, if the device names one), start time.
RunInfo new_run_info(const AdaptConfig& config, const std::string& latency_model, const DeviceInfo& device);

struct RunStart {
  // The record to continue (resume of a run that got past its baseline).
  std::optional<AdaptRecord> prior;
  // The record of a run that had already completed (resume): nothing to do.
  std::optional<AdaptRecord> completed;
};

// Opens the run directory. Without `resume`, an existing adapt.h5 needs
// `overwrite`; a fresh start removes the previous run's searches,
// checkpoints and exports (a matching baseline.ckpt is kept) and creates
// adapt.h5 from `info`. With `resume`, adapt.h5 must exist and hold the same
// resolved configuration. Throws gos::Error saying which flag to pass.
RunStart open_run_directory(const RunDirectory& run, const AdaptConfig& config, bool resume, bool overwrite,
                            const RunInfo& info);

// What `gos adapt` reports for a run that had already completed.
AdaptSummary completed_summary(const AdaptRecord& record, const std::filesystem::path& output);

// The previously cached baseline key, or empty.
std::string read_baseline_key(const RunDirectory& run);
void write_baseline_key(const RunDirectory& run, const std::string& key);

}  // namespace gos::adapt
