#pragma once
// adapt.h5: the record of one adaptation run (schema "gos-adapt", version 1,
// documented in docs/ADAPT.md). Every write opens the file, writes one whole
// step (the baseline, one iteration, the final model, the status) and closes
// it, so a killed run leaves a readable file. Plain C++ (HDF5, no LibTorch).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace gos::adapt {

inline constexpr int64_t kAdaptSchemaVersion = 1;

// Stored as their names ("running", "accepted", ...), as in files written
// before the enums existed.
enum class RunStatus { kRunning, kCompleted, kFailed };
// With `accept = "batch"` a kept splice is kPending until the accumulated
// gain of its batch is confirmed (then kAccepted) or not (then kReverted,
// with the whole batch).
enum class IterationStatus { kAccepted, kRejected, kInfeasible, kUnsupported, kNoGain, kPending, kReverted };
// Whether the iteration's replacement is in the model: accepted or pending.
inline bool is_spliced(IterationStatus status) {
  return status == IterationStatus::kAccepted || status == IterationStatus::kPending;
}
const char* to_string(RunStatus status);
const char* to_string(IterationStatus status);
// Throw gos::Error naming the unknown value and the valid ones.
RunStatus parse_run_status(const std::string& text);
IterationStatus parse_iteration_status(const std::string& text);

struct RunInfo {
  std::string model;
  std::string config_toml;
  std::string accuracy_estimate;
  double epsilon = 0;
  std::string strategy;       // the inner search's plugin (empty in files of older runs)
  std::string latency_model;  // what every latency of the run came from: plugin, device, table, predictor
  std::string device;  // one line: cores, threads, CPU model
  int64_t device_cores = 0;
  int64_t device_threads = 0;
  std::string device_cpu_model;
  std::string start_time;
  std::string end_time;
  RunStatus status = RunStatus::kRunning;
  std::string stop_reason;
};

struct SlotRecord {
  std::string path;
  std::string kind;
  double latency_ms = 0;
  double share = 0;
  double inefficiency = 0;
  int64_t params = 0;
};

struct BaselineRecord {
  double latency_ms = 0;
  int64_t params = 0;
  double accuracy = 0;         // held-out
  double test_accuracy = 0;    // NaN when no test images
  double search_accuracy = 0;  // on the eval subset: the reference of in-search accuracy drops
  double train_seconds = 0;
  std::vector<SlotRecord> slots;  // execution order
};

struct FrontEntry {
  std::string genome;
  double latency_ms = 0;
  double params = 0;
  double accuracy_drop = 0;
  bool feasible = false;
  bool operator==(const FrontEntry&) const = default;
};

struct IterationRecord {
  std::string slot;
  std::string slot_kind;
  std::string input;   // "CxHxW"
  std::string output;
  IterationStatus status = IterationStatus::kUnsupported;
  std::string reason;
  std::string search_file;
  std::string seed_genome;
  std::string chosen_genome;
  double latency_before_ms = 0;
  double latency_after_ms = 0;
  int64_t params_before = 0;
  int64_t params_after = 0;
  double accuracy_before = 0;
  double accuracy_estimate = 0;
  double accuracy_after = 0;
  // The latency model's estimate of the chosen candidate minus the seed's, in
  // the search (NaN when nothing was chosen, and in files of older runs).
  double estimated_delta_ms = 0;
  double search_seconds = 0;
  double finetune_seconds = 0;
  int64_t evaluations = 0;
  std::vector<FrontEntry> front;
};

struct FinalRecord {
  double latency_ms = 0;
  double baseline_latency_ms = 0;  // re-measured alongside latency_ms; speedup = baseline / final
  int64_t params = 0;
  double accuracy = 0;
  double test_accuracy = 0;
  double speedup = 0;
  // baseline / final as the latency model estimates them (sum of the accepted
  // kernel-decomposition deltas for lut / predictor); NaN in older files.
  double estimated_speedup = 0;
  int64_t modified = 0;
  std::string torchscript;
};

struct AdaptRecord {
  int64_t schema_version = 0;
  RunInfo info;
  std::optional<BaselineRecord> baseline;
  std::vector<IterationRecord> iterations;
  std::optional<FinalRecord> final;
};

// Each throws gos::Error naming the file when it cannot be written.
void create_adapt_file(const std::filesystem::path& path, const RunInfo& info);
void write_baseline(const std::filesystem::path& path, const BaselineRecord& baseline);
// Writes /iterations/<index, 3 digits>; replaces an existing group of that index.
void write_iteration(const std::filesystem::path& path, size_t index, const IterationRecord& iteration);
// Writes iterations first, first + 1, ... in one opening of the file (a
// batch's outcome rewrites the statuses of several at once).
void write_iterations(const std::filesystem::path& path, size_t first, std::span<const IterationRecord> iterations);
void write_final(const std::filesystem::path& path, const FinalRecord& final);
void set_status(const std::filesystem::path& path, RunStatus status, const std::string& end_time,
                const std::string& stop_reason);

// Throws gos::Error naming the file when it is missing, not HDF5, or not a
// gos-adapt file of a known schema version.
AdaptRecord read_adapt_file(const std::filesystem::path& path);

}  // namespace gos::adapt
