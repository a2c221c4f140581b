#include "adapt/seed.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>

#include "framework/error.h"

namespace gos::adapt {
namespace {

// A parameter, or a buffer: an imported ONNX node binds constant inputs it
// does not train (a frozen bias) as buffers, and they count all the same.
torch::Tensor named_tensor(TorchModel& op, const std::string& name) {
  for (const auto& item : op.named_parameters(false))
    if (item.key() == name) return item.value();
  for (const auto& item : op.named_buffers(false))
    if (item.key() == name) return item.value();
  return {};
}

}  // namespace

OperatorSeed seed_from_operator(TorchModel& op, const SlotInfo& info, size_t max_nodes) {
  const auto unsupported = [](std::string reason) { return OperatorSeed{std::nullopt, std::move(reason)}; };
  if (!dynamic_cast<Operator*>(&op)) return unsupported("the slot holds a replacement, not a built-in operator");
  const bool dense = info.kind.starts_with("conv");
  if (!dense && !info.kind.starts_with("dwconv"))
    return unsupported(fmt::format("a {} slot has no instruction-graph seed (only convolutions do)", info.kind));
  const torch::Tensor weight = named_tensor(op, "weight");
  if (!weight.defined() || weight.dim() != 4) return unsupported("the convolution has no 4-D weight");
  const int kernel = static_cast<int>(weight.size(2));
  const int kernel_width = static_cast<int>(weight.size(3));
  if (info.input.size() != 4 || info.output.size() != 4) return unsupported("the slot's tensors are not NCHW");
  const graph::Shape in{static_cast<int>(info.input[1]), static_cast<int>(info.input[2]),
                        static_cast<int>(info.input[3])};
  const graph::Shape out{static_cast<int>(info.output[1]), static_cast<int>(info.output[2]),
                         static_cast<int>(info.output[3])};
  int stride = 0;
  // The first stride that gives the output's shape: on a 1x1 map (the last
  // stage of an ImageNet-stem model at 32x32) strides 1 and 2 compute the
  // same, and 1 is what such an operator has.
  for (int s : {1, 2})
    if (out.h == graph::strided(in.h, s) && out.w == graph::strided(in.w, s)) {
      stride = s;
      break;
    }
  if (stride == 0)
    return unsupported(fmt::format("maps {}x{} to {}x{}, which is neither stride 1 nor 2 with same padding", in.h, in.w,
                                   out.h, out.w));
  const int groups = in.c / static_cast<int>(weight.size(1));

  graph::Node node;
  node.inputs = {0, -1};
  const bool square = kernel == kernel_width;
  if (groups == 1 && kernel == 1 && square && stride == 1) {
    node.op = graph::Op::kPointwiseConv;
    node.attrs = {out.c, 0, 0, 0, 0};
  } else if (groups > 1 && groups == in.c && groups == out.c) {
    if (!square)
      return unsupported(fmt::format("non-square depthwise kernel {}x{}; dwconv is square", kernel, kernel_width));
    if (!std::set<int>{3, 5, 7}.contains(kernel))
      return unsupported(fmt::format("depthwise kernel {} is not one of 3, 5, 7", kernel));
    node.op = graph::Op::kDepthwiseConv;
    node.attrs = {kernel, 1, stride, 0, 0};
  } else {
    const std::set<int> sizes{1, 3, 5, 7};
    if (!sizes.contains(kernel) || !sizes.contains(kernel_width))
      return unsupported(fmt::format("kernel {}x{} is not made of 1, 3, 5, 7", kernel, kernel_width));
    if (!std::set<int>{1, 2, 4, 8}.contains(groups))
      return unsupported(fmt::format("{} groups is not one of 1, 2, 4, 8", groups));
    node.op = graph::Op::kConv;
    node.attrs = {kernel, out.c, groups, 1, stride};
    node.attrs[graph::kConvKernelWidth] = square ? 0 : kernel_width;
  }
  graph::Graph seed;
  seed.nodes = {graph::Node{}, node};
  // A bias is its own instruction after the convolution, so that the search
  // can keep, move or drop it like any other node.
  const torch::Tensor bias = named_tensor(op, "bias");
  if (bias.defined()) {
    if (bias.dim() != 1 || bias.size(0) != out.c)
      return unsupported(fmt::format("the bias has shape [{}], not one value per output channel ({})",
                                     fmt::join(bias.sizes(), ", "), out.c));
    seed.nodes.push_back(graph::Node{graph::Op::kBias, {1, -1}, {}});
  }
  try {
    graph::finalize(seed, graph::GraphSpec{in, out, max_nodes});
  } catch (const Error& e) {
    return unsupported(e.what());
  }
  return {std::move(seed), ""};
}

std::vector<graph::Graph> seed_rewrites(const graph::Graph& seed, const graph::GraphSpec& spec) {
  using graph::Node;
  using graph::Op;
  std::vector<std::vector<Node>> candidates;  // instruction nodes after the input
  const Node& node = seed.nodes.at(1);
  const bool biased = seed.nodes.back().op == Op::kBias;
  const int in = spec.input.c;
  const auto& a = node.attrs;
  const auto grouped = [&](int kernel, int kernel_width, int out, int stride) {
    for (int groups : {2, 4})
      if (in % groups == 0 && out % groups == 0) {
        Node conv{Op::kConv, {0, -1}, {kernel, out, groups, 1, stride}};
        conv.attrs[graph::kConvKernelWidth] = kernel_width;
        candidates.push_back({conv});
      }
  };
  switch (node.op) {
    case Op::kConv:
      // Depthwise kernels are square: a k x kw convolution has no separable rewrite.
      if (a[2] == 1 && a[0] > 1 && a[graph::kConvKernelWidth] == 0)
        candidates.push_back(
            {Node{Op::kDepthwiseConv, {0, -1}, {a[0], 1, a[4]}}, Node{Op::kPointwiseConv, {1, -1}, {a[1]}}});
      if (a[2] == 1) grouped(a[0], a[graph::kConvKernelWidth], a[1], a[4]);
      break;
    case Op::kPointwiseConv:
      grouped(1, 0, a[0], 1);
      break;
    case Op::kDepthwiseConv:
      if (a[0] > 3) candidates.push_back({Node{Op::kDepthwiseConv, {0, -1}, {3, a[1], a[2]}}});
      break;
    default:
      break;
  }
  std::vector<graph::Graph> rewrites;
  for (auto& nodes : candidates) {
    graph::Graph rewrite;
    rewrite.nodes = {Node{}};
    rewrite.nodes.insert(rewrite.nodes.end(), nodes.begin(), nodes.end());
    // The rewritten convolution keeps the operator's bias after it.
    if (biased) rewrite.nodes.push_back(Node{Op::kBias, {static_cast<int>(nodes.size()), -1}, {}});
    try {
      graph::finalize(rewrite, spec);
      rewrites.push_back(std::move(rewrite));
    } catch (const Error&) {
      // Not valid for these shapes (a channel split, the node limit): not offered.
    }
  }
  return rewrites;
}

size_t inherit_weights(TorchModel& op, graph::GraphModule& module) {
  const torch::Tensor weight = named_tensor(op, "weight");
  const torch::Tensor bias = named_tensor(op, "bias");
  if (!weight.defined()) return 0;
  torch::NoGradGuard no_grad;
  size_t copied = 0;
  for (size_t i = 0; i < module.graph().nodes.size(); ++i) {
    if (auto conv = module.conv(i); conv && conv->weight.sizes() == weight.sizes()) {
      conv->weight.copy_(weight);
      ++copied;
    } else if (const torch::Tensor b = module.bias(i);
               b.defined() && bias.defined() && bias.dim() == 1 && b.numel() == bias.numel()) {
      b.copy_(bias.view_as(b));
      ++copied;
    }
  }
  return copied;
}

std::shared_ptr<graph::GraphModule> compile_seed(TorchModel& op, const SlotInfo& info, const graph::Graph& seed) {
  auto module = std::make_shared<graph::GraphModule>(seed);
  inherit_weights(op, *module);
  module->eval();
  const bool was_training = op.is_training();
  op.eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor input = torch::randn(info.input);
  const torch::Tensor expected = op.forward(input);
  const torch::Tensor got = module->forward(input);
  op.train(was_training);
  if (!got.sizes().equals(expected.sizes()) || !torch::allclose(got, expected, 1e-4, 1e-5))
    throw Error(
        fmt::format("slot '{}': the seed graph '{}' does not reproduce the {} operator (padding or "
                    "dilation differ); the slot cannot be seeded exactly",
                    info.path, graph::serialize(seed), info.kind));
  return module;
}

}  // namespace gos::adapt
