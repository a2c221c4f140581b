#pragma once
// Stage "batch" (accept = "batch"): kept splices wait here, in the model,
// until the latency of all of them together is confirmed against the last
// confirmed model, or they are reverted together (the rule itself:
// decide_batch in adapt/decision.h). Include only from torch translation
// units.
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "adapt/results.h"
#include "torchlib/zoo.h"

namespace gos::adapt {

class PendingBatch {
 public:
  bool empty() const { return entries_.empty(); }
  int64_t size() const { return static_cast<int64_t>(entries_.size()); }
  // The iteration of the batch's first splice: the model before it is the
  // last confirmed one.
  size_t first_iteration() const { return entries_.front().iteration; }

  // A splice of `slot` kept in iteration `iteration`; `original` is the
  // module it replaced (only its structure matters: it is timed, and its
  // weights come back from a checkpoint when the batch is reverted).
  void add(size_t iteration, std::string slot, std::shared_ptr<TorchModel> original);

  // `measure` run on the last confirmed model: every pending slot holds its
  // original module again for the duration of the call.
  double on_confirmed(SlottedModel& model, const std::function<double()>& measure) const;

  // Puts every original module back and loads `confirmed_weights` (the
  // checkpoint written before the batch's first splice); close() follows.
  void revert(SlottedModel& model, const std::filesystem::path& confirmed_weights);

  // Marks every pending iteration of `iterations` (indexed as the record)
  // `status` (kAccepted or kReverted), with `reason` added; empties the batch.
  void close(std::vector<IterationRecord>& iterations, IterationStatus status, const std::string& reason);

 private:
  struct Entry {
    size_t iteration;
    std::string slot;
    std::shared_ptr<TorchModel> original;
  };
  std::vector<Entry> entries_;
};

// The open batch of a resumed run: its pending iterations, with the original
// modules taken from `make_fresh()`, an instance of the model without
// replacements (built only when some iteration is pending).
PendingBatch pending_batch_of(const std::vector<IterationRecord>& iterations,
                              const std::function<std::shared_ptr<SlottedModel>()>& make_fresh);

}  // namespace gos::adapt
