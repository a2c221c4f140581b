#include "adapt/search_worker.h"

#include <fmt/format.h>

#include "adapt/slot_search.h"
#include "framework/error.h"

namespace gos::adapt {

SearchWorker::SearchWorker(const AdaptConfig& config, std::filesystem::path output, PluginRegistry& registry)
    : config_(config),
      run_{std::move(output)},
      registry_(registry),
      data_(load_data(config)),
      latency_(config, registry) {
  if (!is_onnx_model(config_)) latency_.describe_models_as(config_, data_.zoo);
}

Experiment& SearchWorker::prepare(const SearchStart& start) {
  experiment_.reset();
  evaluator_.reset();
  model_.reset();
  const std::filesystem::path record_file = run_.record();
  if (!std::filesystem::exists(record_file))
    throw Error(
        fmt::format("'{}' does not exist here: the run directory must be on a file system every MPI rank "
                    "reads, at the same path",
                    record_file.string()));
  const AdaptRecord record = read_adapt_file(record_file);
  if (!record.baseline || record.iterations.size() != start.iteration)
    throw Error(fmt::format(
        "'{}' holds {} iterations{} here, and rank 0 starts iteration {}: the run directory must "
        "be on a file system every MPI rank reads, at the same path",
        record_file.string(), record.iterations.size(), record.baseline ? "" : " and no baseline", start.iteration));
  try {
    model_ = rebuild_model(config_, data_, record, run_);
    const SlotSeed seed = slot_seed(*model_, start.slot, config_.max_nodes);
    if (!seed.graph) throw Error(fmt::format("slot '{}' has no exact seed graph here ({})", start.slot, seed.reason));
    evaluator_ =
        slot_evaluator(config_, data_, *model_, latency_, seed, start.baseline_search_accuracy, start.model_ms);
    experiment_.emplace(
        search_experiment(slot_search_request(config_, run_, start.iteration, seed), *evaluator_, registry_));
  } catch (const std::exception& e) {  // LibTorch's errors too (a truncated checkpoint)
    throw Error(fmt::format("cannot rebuild iteration {} of '{}': {}", start.iteration, run_.dir.string(), e.what()));
  }
  return *experiment_;
}

}  // namespace gos::adapt
