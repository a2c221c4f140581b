#pragma once
// Small LibTorch helpers the torch stages share: slot modules, parameter
// counts, weight snapshots and the splice guard. Include only from torch
// translation units.
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "framework/error.h"
#include "searchspaces/gos/graph.h"
#include "torchlib/zoo.h"

namespace gos::adapt {

inline int64_t count_parameters(torch::nn::Module& module) {
  int64_t total = 0;
  for (const auto& parameter : module.parameters()) total += parameter.numel();
  return total;
}

inline graph::Shape graph_shape(const Shape& nchw) {
  return {static_cast<int>(nchw.at(1)), static_cast<int>(nchw.at(2)), static_cast<int>(nchw.at(3))};
}

// The graph spec of a slot: its shapes and the node limit.
inline graph::GraphSpec slot_spec(const SlotInfo& info, int64_t max_nodes) {
  return {graph_shape(info.input), graph_shape(info.output), static_cast<size_t>(max_nodes)};
}

inline std::shared_ptr<TorchModel> slot_module(SlottedModel& model, const std::string& path) {
  for (const auto& item : model.named_modules("", false))
    if (item.key() == path) return std::dynamic_pointer_cast<TorchModel>(item.value());
  throw Error(fmt::format("slot '{}' has no module", path));
}

// The parameters and buffers of a model, copied, to put back after a
// candidate was fine-tuned inside it or a splice was rejected.
inline std::vector<torch::Tensor> snapshot(torch::nn::Module& model) {
  std::vector<torch::Tensor> state;
  for (const auto& t : model.parameters()) state.push_back(t.detach().clone());
  for (const auto& t : model.buffers()) state.push_back(t.detach().clone());
  return state;
}
inline void restore(torch::nn::Module& model, const std::vector<torch::Tensor>& state) {
  torch::NoGradGuard no_grad;
  size_t i = 0;
  for (auto& t : model.parameters()) t.copy_(state.at(i++));
  for (auto& t : model.buffers()) t.copy_(state.at(i++));
}

// Puts a module into a slot for the lifetime of the guard, then the previous
// one back, so that evaluating a candidate never changes the model for good.
class Splice {
 public:
  Splice(SlottedModel& model, std::string path, std::shared_ptr<TorchModel> module)
      : model_(model), path_(std::move(path)), original_(slot_module(model, path_)) {
    model_.replace(path_, std::move(module));
  }
  ~Splice() { model_.replace(path_, original_); }
  Splice(const Splice&) = delete;
  Splice& operator=(const Splice&) = delete;

 private:
  SlottedModel& model_;
  std::string path_;
  std::shared_ptr<TorchModel> original_;
};

}  // namespace gos::adapt
