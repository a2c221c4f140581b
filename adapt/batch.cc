#include "adapt/batch.h"

#include "adapt/model_state.h"

namespace gos::adapt {

void PendingBatch::add(size_t iteration, std::string slot, std::shared_ptr<TorchModel> original) {
  entries_.push_back({iteration, std::move(slot), std::move(original)});
}

double PendingBatch::on_confirmed(SlottedModel& model, const std::function<double()>& measure) const {
  std::vector<std::unique_ptr<Splice>> originals;
  for (const Entry& entry : entries_) originals.push_back(std::make_unique<Splice>(model, entry.slot, entry.original));
  const double value = measure();
  while (!originals.empty()) originals.pop_back();  // the latest splice back first
  return value;
}

void PendingBatch::revert(SlottedModel& model, const std::filesystem::path& confirmed_weights) {
  for (const Entry& entry : entries_) model.replace(entry.slot, entry.original);
  load_checkpoint(model, confirmed_weights.string());
}

void PendingBatch::close(std::vector<IterationRecord>& iterations, IterationStatus status, const std::string& reason) {
  for (const Entry& entry : entries_) {
    IterationRecord& it = iterations.at(entry.iteration);
    it.status = status;
    it.reason += "; " + reason;
    if (status == IterationStatus::kReverted) it.params_after = it.params_before;
  }
  entries_.clear();
}

PendingBatch pending_batch_of(const std::vector<IterationRecord>& iterations,
                              const std::function<std::shared_ptr<SlottedModel>()>& make_fresh) {
  PendingBatch batch;
  std::shared_ptr<SlottedModel> fresh;
  for (size_t i = 0; i < iterations.size(); ++i) {
    if (iterations[i].status != IterationStatus::kPending) continue;
    if (!fresh) fresh = make_fresh();
    batch.add(i, iterations[i].slot, slot_module(*fresh, iterations[i].slot));
  }
  return batch;
}

}  // namespace gos::adapt
