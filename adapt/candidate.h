#pragma once
// Stage "candidate accuracy estimate" and the candidate evaluator of a
// search: each genome is compiled, given the operator's weights where shapes
// allow, distilled on the slot's recorded activations (and, with
// accuracy_estimate = "finetune", briefly fine-tuned inside the model), then
// its accuracy and latency are estimated. Include only from torch
// translation units.
#include <map>
#include <memory>
#include <string>

#include "adapt/config.h"
#include "adapt/latency.h"
#include "adapt/search.h"
#include "searchspaces/gos/compile.h"
#include "torchlib/training.h"

namespace gos::adapt {

// Fits `module` to the slot's recorded (inputs, outputs) with MSE and Adam for
// `steps` minibatches of 64, from its current weights; eval mode on return.
// Does nothing when the module has no parameters or already fits (MSE < 1e-10).
void distill(graph::GraphModule& module, const torch::Tensor& inputs, const torch::Tensor& outputs, int64_t steps,
             double learning_rate);

// The slot's input and output activations on the first `images` training
// images of `trainer`.
std::pair<torch::Tensor, torch::Tensor> capture_activations(SlottedModel& model, ImageTrainer& trainer,
                                                            const std::string& path, size_t images);

struct EvaluatorContext {
  const AdaptConfig& config;
  SlottedModel& model;
  ImageTrainer& search_eval;             // the held-out subset of the in-search accuracy estimate
  ImageTrainer* candidate_finetune;      // accuracy_estimate = "finetune" only
  double baseline_search_accuracy = 0;   // the reference of the accuracy drop
  AdaptLatency& latency;
};

class CandidateEvaluator : public CandidateScorer {
 public:
  // `model_ms`: the whole model's latency at the start of the iteration, the
  // base of the kernel-decomposition estimate; `seed` the operator's exact graph.
  CandidateEvaluator(EvaluatorContext context, SlotInfo slot, graph::Graph seed, torch::Tensor inputs,
                     torch::Tensor outputs, double model_ms);

  CandidateValues score(const graph::Graph& candidate) override;
  std::string latency_provenance() const override;
  // The candidate compiled and distilled; cached, deterministic per genome and run seed.
  std::shared_ptr<graph::GraphModule> trained(const graph::Graph& candidate);

 private:
  EvaluatorContext context_;
  SlotInfo slot_;
  graph::Graph seed_;
  std::shared_ptr<TorchModel> original_;
  torch::Tensor inputs_, outputs_;
  double model_ms_;
  int64_t other_params_;
  std::map<std::string, std::shared_ptr<graph::GraphModule>> modules_;
};

}  // namespace gos::adapt
