#include "adapt/run_dir.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fstream>
#include <thread>

#include "framework/error.h"
#include "framework/runner.h"

namespace gos::adapt {

std::string baseline_key(const AdaptConfig& c) {
  return fmt::format(
      "model={} width={} cifar_stem={} data={} train={} subset={} holdout={} epochs={} steps={} lr={} batch={} "
      "seed={} checkpoint={}",
      c.model, c.width, c.cifar_stem, c.data_dir.string(), fmt::join(c.train_files, ","), c.train_subset, c.holdout,
      c.baseline_epochs, c.baseline_steps, c.baseline_lr, c.batch_size, c.seed, c.baseline_checkpoint);
}

std::filesystem::path RunDirectory::checkpoint(size_t iteration) const {
  return dir / fmt::format("model_{:03d}.ckpt", iteration);
}

std::filesystem::path RunDirectory::search_file(size_t iteration) const {
  return dir / fmt::format("search_{:03d}.h5", iteration);
}

RunInfo new_run_info(const AdaptConfig& config, const std::string& latency_model, const DeviceInfo& device) {
  RunInfo info;
  info.model = config.model;
  info.config_toml = config.resolved_toml;
  info.accuracy_estimate = to_string(config.accuracy_estimate);
  info.epsilon = config.epsilon;
  info.strategy = config.strategy.plugin;
  info.latency_model = latency_model;
  info.device = device.name + ":";
  for (const auto& [key, value] : device.properties) info.device += fmt::format(" {}={}", key, value);
  info.device_cores = std::thread::hardware_concurrency();
  info.device_threads = config.threads;
  if (auto it = device.properties.find("model"); it != device.properties.end()) info.device_cpu_model = it->second;
  info.start_time = utc_now_iso8601();
  info.status = RunStatus::kRunning;
  return info;
}

RunStart open_run_directory(const RunDirectory& run, const AdaptConfig& config, bool resume, bool overwrite,
                            const RunInfo& info) {
  RunStart start;
  const std::filesystem::path h5 = run.record();
  if (resume) {
    if (!std::filesystem::exists(h5))
      throw Error(fmt::format("--resume: '{}' does not exist; start the run without --resume", h5.string()));
    AdaptRecord prior = read_adapt_file(h5);
    if (prior.info.config_toml != config.resolved_toml)
      throw Error(
          fmt::format("--resume: '{}' was written by another adapt configuration; rerun with the same file "
                      "and --set values, or use --overwrite",
                      h5.string()));
    if (prior.info.status == RunStatus::kCompleted) {
      start.completed = std::move(prior);
      return start;
    }
    // Killed before the baseline was recorded: start over.
    if (prior.baseline) {
      set_status(h5, RunStatus::kRunning, "", "");
      start.prior = std::move(prior);
      return start;
    }
  } else if (std::filesystem::exists(h5) && !overwrite) {
    throw Error(fmt::format("'{}' already exists; pass --resume to continue that run or --overwrite to replace it",
                            h5.string()));
  }
  std::filesystem::create_directories(run.dir);
  for (const auto& entry : std::filesystem::directory_iterator(run.dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("search_") || name.starts_with("model_") || name == "adapted.pt" || name == "graphs.txt" ||
        name == "report.html")
      std::filesystem::remove(entry.path());
  }
  create_adapt_file(h5, info);
  return start;
}

AdaptSummary completed_summary(const AdaptRecord& record, const std::filesystem::path& output) {
  AdaptSummary summary;
  summary.output = output;
  summary.already_complete = true;
  summary.iterations = record.iterations.size();
  if (record.final) {
    summary.modified = record.final->modified;
    summary.speedup = record.final->speedup;
    summary.final_ms = record.final->latency_ms;
  }
  summary.stop_reason = record.info.stop_reason;
  return summary;
}

std::string read_baseline_key(const RunDirectory& run) {
  std::string key;
  if (std::ifstream in(run.baseline_key_file()); in) std::getline(in, key);
  return key;
}

void write_baseline_key(const RunDirectory& run, const std::string& key) {
  std::ofstream(run.baseline_key_file()) << key << "\n";
}

}  // namespace gos::adapt
