#pragma once
// Results files: one HDF5 file per run, schema in docs/RESULTS.md.
//
// The writer keeps the file closed between generations: each append opens it,
// extends the datasets, writes, and closes it again, so that the file on disk
// is complete after every generation and a killed run leaves a readable file.
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace gos {

inline constexpr int64_t kResultsSchemaVersion = 1;

struct RunMetadata {
  std::string experiment_name;
  std::string fingerprint;     // ExperimentConfig::fingerprint
  std::string config_toml;     // the resolved experiment
  uint64_t seed = 0;
  std::string gos_version;
  std::string git_commit;
  std::string host;
  std::string start_time;      // ISO 8601, UTC
  std::string end_time;        // empty while running
  std::string status;          // running, completed, failed
  std::map<std::string, std::string> extra;  // further root attributes (e.g. device description)
};

struct ObjectiveInfo {
  std::string name;
  std::string direction;  // minimize / maximize
  bool optimize = true;
  double max = 0;         // NaN when unbounded
  double min = 0;         // NaN when unbounded
};

struct EvaluationRecord {
  std::string genome;             // canonical string
  std::vector<double> values;     // raw value per objective, NaN when failed
  double violation = 0;
  int64_t generation = 0;
  double seconds = 0;             // wall-clock time of the evaluation
  bool failed = false;
  bool cached = false;            // values copied from an identical or equivalent earlier genome
  std::string error;              // why it failed, else empty
  // The budget it was evaluated at (framework/fidelity.h); NaN when the
  // experiment's objectives declare no fidelity. Files written before the
  // column existed read as NaN.
  double fidelity = std::numeric_limits<double>::quiet_NaN();
  bool operator==(const EvaluationRecord&) const;
};

struct GenerationRecord {
  int64_t generation = 0;
  int64_t evaluations = 0;        // cumulative
  int64_t front_size = 0;
  double elapsed_seconds = 0;     // since the run (first session) started
  // Named per-generation indicators (hypervolume, igd, ...), each stored as
  // its own dataset under /generations.
  std::vector<std::pair<std::string, double>> indicators;
};

struct RunResults {
  int64_t schema_version = 0;
  RunMetadata metadata;
  std::vector<ObjectiveInfo> objectives;
  std::vector<EvaluationRecord> evaluations;
  std::vector<GenerationRecord> generations;
  std::vector<int64_t> front;     // indices into evaluations
};

class ResultsWriter {
 public:
  // Creates (or replaces) `path` with metadata and an empty evaluation table.
  // Throws gos::Error naming the path when it cannot be written.
  static ResultsWriter create(const std::filesystem::path& path, const RunMetadata& metadata,
                              const std::vector<ObjectiveInfo>& objectives);
  // Reopens a file to continue it, dropping rows beyond the first
  // `keep_generations` generations and `keep_evaluations` evaluations.
  static ResultsWriter resume(const std::filesystem::path& path, size_t keep_evaluations, size_t keep_generations);

  // Appends one generation: its evaluations, its summary row, and the
  // current front (indices into all evaluations, and their values row-major).
  // The file is closed on return.
  void append(std::span<const EvaluationRecord> evaluations, const GenerationRecord& generation,
              std::span<const int64_t> front, std::span<const double> front_values);
  // Sets status and end time.
  void finish(const std::string& status, const std::string& end_time);
  // Adds or replaces root attributes.
  void set_attributes(const std::map<std::string, std::string>& attributes);

  const std::filesystem::path& path() const { return path_; }

 private:
  explicit ResultsWriter(std::filesystem::path path, size_t objectives) : path_(std::move(path)), objectives_(objectives) {}
  std::filesystem::path path_;
  size_t objectives_;
};

// Reads a whole results file. Throws gos::Error naming the file when it is
// missing, not HDF5, or not a GOS results file.
RunResults read_results(const std::filesystem::path& path);

}  // namespace gos
