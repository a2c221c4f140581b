#pragma once
// What the inner search of one slot is built from: the slot's exact seed, the
// search request and the candidate evaluator. Shared by the pipeline (rank 0,
// or the only process) and the MPI workers of `mpirun gos adapt`
// (adapt/search_worker.h), so that both build the same search. Include only
// from torch translation units.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "adapt/baseline.h"
#include "adapt/candidate.h"
#include "adapt/run_dir.h"
#include "adapt/search.h"

namespace gos::adapt {

struct SlotSeed {
  SlotInfo info;
  graph::GraphSpec spec;              // the slot's shapes and the node limit
  std::optional<graph::Graph> graph;  // the operator as an exact graph, checked by compiling it; empty: none
  std::string reason;                 // why there is none
};

// The seed of slot `path` of `model`. Throws gos::Error when the model has no such slot.
SlotSeed slot_seed(SlottedModel& model, const std::string& path, int64_t max_nodes);

// The request of search `index` over `seed` (which has a graph): everything
// but resume, progress, after_generation and evaluation.
SearchRequest slot_search_request(const AdaptConfig& config, const RunDirectory& run, size_t index,
                                  const SlotSeed& seed);

// The candidate evaluator of the slot, on the slot's activations in `model` as it is now.
std::unique_ptr<CandidateEvaluator> slot_evaluator(const AdaptConfig& config, AdaptData& data, SlottedModel& model,
                                                   AdaptLatency& latency, const SlotSeed& seed,
                                                   double baseline_search_accuracy, double model_ms);

}  // namespace gos::adapt
