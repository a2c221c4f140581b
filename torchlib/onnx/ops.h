#pragma once
// Op-by-op lowering of ONNX nodes to LibTorch: each supported node becomes a
// kernel, a function from its input tensors to its output tensors built of
// differentiable LibTorch calls (so an imported model trains). Attributes are
// read and validated once, when the node is lowered.
#include <functional>
#include <string>
#include <vector>

#include "torchlib/onnx/proto.h"

namespace gos::onnx_io {

// Inputs in the node's order; an omitted optional input is an undefined tensor.
using Tensors = std::vector<torch::Tensor>;
using Kernel = std::function<Tensors(const Tensors& inputs)>;

// The kernel of `node` for the model's default-domain `opset`. Throws
// gos::Error naming the node, its op and the supported operators when the op
// (or one of its modes, e.g. MaxPool's Indices output) is not supported.
Kernel lower_node(const onnx::NodeProto& node, int64_t opset);

// Supported operator types, sorted.
std::vector<std::string> supported_operators();
bool is_supported(const std::string& op_type);

}  // namespace gos::onnx_io
