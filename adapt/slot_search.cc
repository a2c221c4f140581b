#include "adapt/slot_search.h"

#include <fmt/format.h>

#include <algorithm>

#include "adapt/model_state.h"
#include "adapt/seed.h"
#include "framework/error.h"
#include "framework/rng.h"

namespace gos::adapt {

SlotSeed slot_seed(SlottedModel& model, const std::string& path, int64_t max_nodes) {
  const auto infos = model.slots();
  const auto info = std::find_if(infos.begin(), infos.end(), [&](const SlotInfo& s) { return s.path == path; });
  if (info == infos.end()) throw Error(fmt::format("slot '{}' is not in the model", path));
  SlotSeed seed{*info, slot_spec(*info, max_nodes), std::nullopt, {}};
  // The operator as an exact one-instruction graph, checked by compiling it.
  auto original = slot_module(model, path);
  OperatorSeed found = seed_from_operator(*original, seed.info, seed.spec.max_nodes);
  if (found.graph) {
    try {
      compile_seed(*original, seed.info, *found.graph);
    } catch (const Error& e) {
      found = {std::nullopt, e.what()};
    }
  }
  seed.graph = std::move(found.graph);
  seed.reason = std::move(found.reason);
  return seed;
}

SearchRequest slot_search_request(const AdaptConfig& config, const RunDirectory& run, size_t index,
                                  const SlotSeed& seed) {
  const std::string& slot = seed.info.path;
  const std::string seed_genome = graph::serialize(*seed.graph);
  SearchRequest request;
  request.slot = slot;
  request.spec = seed.spec;
  request.seeds = {*seed.graph};
  for (graph::Graph& rewrite : seed_rewrites(*seed.graph, seed.spec)) request.seeds.push_back(std::move(rewrite));
  request.seed_walk = config.seed_walk;
  request.bits.assign(config.bits.begin(), config.bits.end());
  request.strategy = config.strategy;
  request.epsilon = config.epsilon;
  request.seed = stable_hash(fmt::format("{}:{}", config.seed, slot));
  request.name = fmt::format("adapt:{}:{}", config.name, slot);
  request.source = config.source;
  // What the search depends on: resuming checks it against the file.
  request.resolved_toml = fmt::format(
      "# gos adapt inner search (in-process objectives)\n[search]\nslot = \"{}\"\n"
      "seed_genome = \"{}\"\n\n{}",
      slot, seed_genome, config.resolved_toml);
  request.output = run.search_file(index);
  return request;
}

std::unique_ptr<CandidateEvaluator> slot_evaluator(const AdaptConfig& config, AdaptData& data, SlottedModel& model,
                                                   AdaptLatency& latency, const SlotSeed& seed,
                                                   double baseline_search_accuracy, double model_ms) {
  auto [inputs, outputs] =
      capture_activations(model, *data.search_eval, seed.info.path, static_cast<size_t>(config.distill_images));
  return std::make_unique<CandidateEvaluator>(
      EvaluatorContext{config, model, *data.search_eval, data.candidate_finetune.get(), baseline_search_accuracy,
                       latency},
      seed.info, *seed.graph, std::move(inputs), std::move(outputs), model_ms);
}

}  // namespace gos::adapt
