#include "adapt/candidate.h"

#include <fmt/format.h>

#include "adapt/model_state.h"
#include "adapt/seed.h"
#include "framework/rng.h"
#include "torchlib/placement.h"

namespace gos::adapt {

void distill(graph::GraphModule& module, const torch::Tensor& inputs, const torch::Tensor& outputs, int64_t steps,
             double learning_rate) {
  // The module trains where its activations are (the training device) and
  // goes back to where it was (the CPU of the spliced model).
  const ModuleOnDevice placed(module, inputs.device());
  {
    torch::NoGradGuard no_grad;
    module.eval();
    const double start_loss = torch::mse_loss(module.forward(inputs), outputs).item<double>();
    if (steps == 0 || start_loss < 1e-10 || module.parameters().empty()) return;
  }
  module.train();
  torch::optim::Adam optimizer(module.parameters(), torch::optim::AdamOptions(learning_rate));
  const int64_t n = inputs.size(0);
  const int64_t batch = std::min<int64_t>(64, n);
  for (int64_t step = 0; step < steps; ++step) {
    // Drawn on the CPU generator: the same samples whichever device trains.
    const torch::Tensor index = torch::randint(n, {batch}, torch::kLong).to(inputs.device());
    optimizer.zero_grad();
    const torch::Tensor loss =
        torch::mse_loss(module.forward(inputs.index_select(0, index)), outputs.index_select(0, index));
    loss.backward();
    optimizer.step();
  }
  module.eval();
}

std::pair<torch::Tensor, torch::Tensor> capture_activations(SlottedModel& model, ImageTrainer& trainer,
                                                            const std::string& path, size_t images) {
  std::vector<torch::Tensor> inputs, outputs;
  model.set_observer([&](const Slot& slot, const torch::Tensor& in, const torch::Tensor& out) {
    if (slot.path() != path) return;
    inputs.push_back(in.detach().clone());
    outputs.push_back(out.detach().clone());
  });
  try {
    trainer.forward_training_images(model, images);
  } catch (...) {
    model.set_observer(nullptr);
    throw;
  }
  model.set_observer(nullptr);
  if (inputs.empty()) throw Error(fmt::format("slot '{}' was not called by a forward pass", path));
  return {torch::cat(inputs), torch::cat(outputs)};
}

CandidateEvaluator::CandidateEvaluator(EvaluatorContext context, SlotInfo slot, graph::Graph seed,
                                       torch::Tensor inputs, torch::Tensor outputs, double model_ms)
    : context_(context), slot_(std::move(slot)), seed_(std::move(seed)),
      original_(slot_module(context.model, slot_.path)), inputs_(std::move(inputs)), outputs_(std::move(outputs)),
      model_ms_(model_ms), other_params_(count_parameters(context.model) - count_parameters(*original_)) {}

std::string CandidateEvaluator::latency_provenance() const {
  if (context_.config.candidate_latency == CandidateLatency::kModel)
    return "whole adapted model: " + context_.latency.describe();
  return "kernel decomposition: whole model at the iteration start + (candidate - original operator), each alone "
         "on the slot's input: " +
         context_.latency.describe();
}

std::shared_ptr<graph::GraphModule> CandidateEvaluator::trained(const graph::Graph& candidate) {
  const std::string key = graph::serialize(candidate);
  if (auto it = modules_.find(key); it != modules_.end()) return it->second;
  // Deterministic per genome and run: the same genome gets the same weights
  // in a resumed run as in an uninterrupted one.
  torch::manual_seed(stable_hash(key, context_.config.seed + 0x9e3779b97f4a7c15ULL));
  auto module = std::make_shared<graph::GraphModule>(candidate);
  inherit_weights(*original_, *module);
  distill(*module, inputs_, outputs_, context_.config.distill_steps, context_.config.distill_lr);
  modules_.emplace(key, module);
  return module;
}

CandidateValues CandidateEvaluator::score(const graph::Graph& candidate) {
  const AdaptConfig& config = context_.config;
  auto module = trained(candidate);
  CandidateValues values;
  values.params = static_cast<double>(other_params_ + graph::count_params(candidate));
  if (config.candidate_latency == CandidateLatency::kSlot)
    values.latency_ms = model_ms_ + context_.latency.slot_delta_ms(seed_, candidate);
  double accuracy = 0;
  {
    Splice splice(context_.model, slot_.path, module);
    if (config.candidate_latency == CandidateLatency::kModel) values.latency_ms = context_.latency.model_ms(context_.model);
    if (config.accuracy_estimate == AccuracyEstimate::kFinetune && config.candidate_finetune_steps > 0) {
      const auto state = snapshot(context_.model);
      context_.candidate_finetune->train(context_.model);
      accuracy = context_.search_eval.evaluate(context_.model);
      restore(context_.model, state);
    } else {
      accuracy = context_.search_eval.evaluate(context_.model);
    }
  }
  values.accuracy_drop = context_.baseline_search_accuracy - accuracy;
  return values;
}

}  // namespace gos::adapt
