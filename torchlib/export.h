#pragma once
// TorchScript export of any TorchModel (zoo models, with or without replaced
// slots). The model is traced in C++ with LibTorch's tracer at one input
// shape, with its parameters and buffers registered as attributes of a new
// torch::jit::Module, so the file keeps named weights rather than constants.
// The result loads with torch::jit::load and with Python's torch.jit.load.
// Like any trace, it records the operations run for that input: it is exact
// for the zoo's fixed-graph models; data-dependent control flow would be
// frozen to the traced path.
#include <torch/csrc/jit/api/module.h>

#include <map>
#include <string>

#include "torchlib/zoo.h"

namespace gos {

// A model traced in eval mode at one input shape: a TorchScript module whose
// attributes are the model's parameters and buffers ("layer1.0.conv1.weight"
// becomes attribute "layer1_0_conv1_weight"; `names` maps back), and the
// traced graph, whose values carry the concrete shapes seen while tracing.
struct TracedModel {
  torch::jit::Module module{"__torch__.gos.ExportedModel"};
  std::shared_ptr<torch::jit::Graph> graph;
  std::map<std::string, std::string> names;  // attribute -> parameter or buffer name
};

// Traces `model` on a random input of `input` shape (the ONNX exporter lowers
// the graph further). gos::Error when the model cannot be traced.
TracedModel trace_model(TorchModel& model, const Shape& input);

// Traces `model` in eval mode on a random input of `input` shape and saves
// the TorchScript module to `path`. Throws gos::Error naming the file when it
// cannot be written.
void export_torchscript(TorchModel& model, const Shape& input, const std::string& path);

}  // namespace gos
