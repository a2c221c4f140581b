#include "cli/adapt_mpi.h"

#include <fmt/format.h>

#include <boost/dll/runtime_symbol_info.hpp>
#include <charconv>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <sstream>
#include <variant>

#include "adapt/search_worker.h"
#include "framework/error.h"
#include "framework/plugin_registry.h"
#include "mpi/coordinator.h"
#include "mpi/launch.h"

namespace gos::cli {
namespace {

// A SearchStart as the body of a kPhase message: one field per line, the
// numbers as hexadecimal floats, so that workers get rank 0's exact values.
std::string encode(const adapt::SearchStart& start) {
  return fmt::format("{}\n{}\n{:a}\n{:a}\n", start.iteration, start.slot, start.model_ms,
                     start.baseline_search_accuracy);
}

adapt::SearchStart decode_search_start(const std::string& bytes) {
  std::istringstream in(bytes);
  std::string iteration, model_ms, accuracy;
  adapt::SearchStart start;
  bool ok = std::getline(in, iteration) && std::getline(in, start.slot) && std::getline(in, model_ms) &&
            std::getline(in, accuracy) && in.peek() == std::char_traits<char>::eof();
  const auto [last, ec] = std::from_chars(iteration.data(), iteration.data() + iteration.size(), start.iteration);
  ok = ok && ec == std::errc() && last == iteration.data() + iteration.size();
  const auto number = [&](const std::string& text, double& value) {
    char* end = nullptr;
    value = std::strtod(text.c_str(), &end);
    ok = ok && !text.empty() && end == text.c_str() + text.size();
  };
  number(model_ms, start.model_ms);
  number(accuracy, start.baseline_search_accuracy);
  if (!ok) throw Error(fmt::format("MPI protocol: '{}' is not the start of a search", bytes));
  return start;
}

// The plugin libraries `config` names, nested components included: rank 0
// has not loaded them yet when the ranks compare their builds.
void add_plugin_files(const ComponentConfig& config, const PluginRegistry& registry,
                      std::vector<std::filesystem::path>& files) {
  for (const PluginRecord* record : registry.plugins())
    if (record->name == config.plugin) files.push_back(record->path);
  if (!config.params) return;
  for (const auto& [key, value] : config.params->values())
    if (const auto* nested = std::get_if<ComponentConfig>(&value)) add_plugin_files(*nested, registry, files);
}

// What `gos adapt` runs beyond what every command does: this library and the configured plugins.
std::vector<std::filesystem::path> adapt_files(const adapt::AdaptConfig& config, const PluginRegistry& registry) {
  boost::dll::fs::error_code ec;
  std::vector<std::filesystem::path> files = {boost::dll::this_line_location(ec)};
  add_plugin_files(config.strategy, registry, files);
  add_plugin_files(config.latency, registry, files);
  return files;
}

// Rank 0: each inner search is an MPI phase (mpi/coordinator.h).
class MpiSearches final : public adapt::SearchEvaluation {
 public:
  MpiSearches(mpi::World& world, std::string resume) : world_(world), resume_(std::move(resume)) {}
  std::unique_ptr<EvaluationBackend> begin(const adapt::SearchStart& start,
                                           const std::filesystem::path& output) override {
    return std::make_unique<mpi::Phase>(world_, encode(start), output.string(), resume_);
  }

 private:
  mpi::World& world_;
  std::string resume_;
};

// Rank 0 ends the job for every worker however the run ends, unless the
// launcher is stopping it (a send could wait for a dead rank).
class EndOfJob {
 public:
  explicit EndOfJob(mpi::World& world) : world_(world) {}
  ~EndOfJob() {
    if (mpi::StopSignals::raised()) return;
    try {
      mpi::stop_workers(world_);
    } catch (const std::exception&) {
      // Leaving: the error that brought us here matters more.
    }
  }
  EndOfJob(const EndOfJob&) = delete;
  EndOfJob& operator=(const EndOfJob&) = delete;

 private:
  mpi::World& world_;
};

}  // namespace

int adapt_on_mpi_ranks(const AdaptArgs& args, adapt::AdaptOptions options, PluginRegistry& registry) {
  mpi::World& world = mpi::load_world();
  const mpi::FinalizeOnExit finalize(&world);
  mpi::Identity mine{world.rank(), world.host(), args.file, {}, {}, {}};
  std::optional<adapt::AdaptConfig> config;
  std::optional<adapt::SearchWorker> worker;
  std::exception_ptr own_error;
  try {
    config.emplace(load_adapt_args(args, registry, options.output));
    // The run directory as given: every rank reads and writes it at that path.
    mine.work = mpi::fnv1a_hex(config->resolved_toml + "\n[output]\n" + options.output.string());
    mine.build = mpi::build_id(registry, adapt_files(*config, registry));
    // A worker loads its data and latency model up front, so that a rank
    // that cannot is refused before rank 0 touches the run directory.
    if (world.rank() != 0) worker.emplace(*config, options.output, registry);
  } catch (const std::exception& e) {
    own_error = std::current_exception();
    mine.error = e.what();
  }
  if (world.size() == 1) {  // a launcher that did not say how many (PMIx) started one
    std::cerr << mpi::kOneMpiProcessNote;
    if (own_error) std::rethrow_exception(own_error);
    return run_adapt_and_report(*config, options, registry, args.quiet);
  }
  if (world.rank() != 0) {
    // Rank 0 reports every refusal; its status is the job's (mpi::agree).
    if (!mpi::agree(world, mine)) return 0;
    mpi::serve_phases(world, [&](const std::string& description) -> Experiment& {
      return worker->prepare(decode_search_start(description));
    });
    return 0;
  }
  try {
    mpi::agree(world, mine);
  } catch (...) {
    if (own_error) std::rethrow_exception(own_error);
    throw;
  }
  const EndOfJob end(world);
  MpiSearches searches(world, fmt::format("gos adapt {} --resume", args.file));
  options.evaluation = &searches;
  return run_adapt_and_report(*config, options, registry, args.quiet);
}

}  // namespace gos::cli
