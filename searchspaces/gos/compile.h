#pragma once
// Compiling an operator graph to a trainable LibTorch module. Include only
// from torch translation units (targets that call gos_use_torch).
#include <vector>

#include "searchspaces/gos/graph.h"
#include "torchlib/torch_model.h"

namespace gos::graph {

// A module computing the graph. Trainable parameters are registered per node
// as "n<index>" submodules (conv, pconv, dwconv, bn) or parameters (scale,
// bias), so their count equals count_params(graph). Convolutions have no bias
// of their own: a `bias` node after them adds it.
class GraphModule : public TorchModel {
 public:
  explicit GraphModule(const Graph& graph);
  torch::Tensor forward(torch::Tensor input) override;
  // Node `index` alone on given inputs (`second` is ignored by one-input
  // instructions): how a kernel is profiled without the rest of its graph.
  torch::Tensor forward_node(size_t index, const torch::Tensor& first, const torch::Tensor& second);

  const Graph& graph() const { return graph_; }
  // The convolution of node `index`, null for nodes that are not convolutions.
  torch::nn::Conv2d conv(size_t index) const { return convs_[index]; }
  torch::nn::BatchNorm2d batch_norm(size_t index) const { return norms_[index]; }
  // The scalar of a scale node, undefined for other nodes.
  torch::Tensor scale(size_t index) const { return scales_[index]; }
  // The C x 1 x 1 values of a bias node (broadcast over height and width, so
  // that the trace and the ONNX export are one Add), undefined for other nodes.
  torch::Tensor bias(size_t index) const { return biases_[index]; }

 private:
  Graph graph_;
  std::vector<torch::nn::Conv2d> convs_;
  std::vector<torch::nn::BatchNorm2d> norms_;
  std::vector<torch::Tensor> scales_;
  std::vector<torch::Tensor> biases_;
};

}  // namespace gos::graph
