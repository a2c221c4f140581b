#include "torchlib/export.h"

#include <fmt/format.h>
#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/script.h>

#include <algorithm>

#include "framework/error.h"

namespace gos {

TracedModel trace_model(TorchModel& model, const Shape& input) {
  TracedModel traced;
  torch::jit::Module& module = traced.module;
  // Attribute names cannot contain dots; "layer1.0.conv1.weight" becomes
  // "layer1_0_conv1_weight". The tracer maps each tensor it meets to the
  // attribute holding the same storage, which is why they are registered first.
  const auto attribute = [&](const std::string& name) {
    std::string key = name;
    std::replace(key.begin(), key.end(), '.', '_');
    traced.names[key] = name;
    return key;
  };
  for (const auto& item : model.named_parameters()) module.register_parameter(attribute(item.key()), item.value(), false);
  for (const auto& item : model.named_buffers()) module.register_buffer(attribute(item.key()), item.value());

  const bool was_training = model.is_training();
  model.eval();
  const torch::Tensor example = torch::randn(input);
  try {
    traced.graph = torch::jit::tracer::trace(
                       {example},
                       [&](torch::jit::Stack inputs) { return torch::jit::Stack{model.forward(inputs.at(0).toTensor())}; },
                       [](const torch::autograd::Variable&) { return std::string(); }, /*strict=*/false,
                       /*force_outplace=*/false, &module)
                       .first->graph;
  } catch (const c10::Error& e) {
    model.train(was_training);
    throw Error(fmt::format("cannot trace the model: {}", e.what_without_backtrace()));
  } catch (const Error& e) {
    model.train(was_training);
    throw Error(fmt::format("cannot trace the model: {}", e.what()));
  }
  model.train(was_training);
  return traced;
}

void export_torchscript(TorchModel& model, const Shape& input, const std::string& path) {
  TracedModel traced = trace_model(model, input);
  torch::jit::Module& module = traced.module;
  const auto& state_graph = traced.graph;
  auto function = module._ivalue()->compilation_unit()->create_function(
      c10::QualifiedName(*module.type()->name(), "forward"), state_graph);
  module.type()->addMethod(function);
  try {
    module.save(path);
  } catch (const c10::Error& e) {
    throw Error(fmt::format("{}: cannot write TorchScript file: {}", path, e.what_without_backtrace()));
  }
}

}  // namespace gos
