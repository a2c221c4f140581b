#include "torchlib/onnx/export.h"

#include <fmt/format.h>
#include <torch/csrc/jit/passes/constant_propagation.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>

#include <algorithm>
#include <cstdint>

#include "framework/error.h"
#include "torchlib/export.h"
#include "torchlib/onnx/export_converter.h"

namespace gos::onnx_io {
namespace {

constexpr int64_t kOpset = 17;
constexpr int64_t kSymbolicTraceBatch = 5;

}  // namespace

onnx::ModelProto to_onnx(TorchModel& model, const Shape& input, BatchDim batch) {
  const bool symbolic = batch == BatchDim::kSymbolic;
  // A symbolic export traces at a batch that is no common size of anything
  // else (1: unit dimensions; 2: factors of GOS kernels; 3: RGB; 4: a
  // common width), so that a first dimension equal to it is the batch.
  Shape traced_input = input;
  if (symbolic && !traced_input.empty()) traced_input[0] = kSymbolicTraceBatch;
  TracedModel traced;
  try {
    traced = trace_model(model, traced_input);
  } catch (const Error& e) {
    if (!symbolic || traced_input == input) throw;
    throw Error(
        fmt::format("the model does not run at batch {} ({}), so it has no symbolic batch dimension; export "
                    "it with a static batch (BatchDim::kStatic; gos model export --static-batch)",
                    traced_input[0], e.what()));
  }
  torch::jit::ConstantPropagation(traced.graph);
  torch::jit::EliminateDeadCode(traced.graph);
  onnx::ModelProto proto;
  proto.set_ir_version(8);  // the IR version of opset 17
  proto.set_producer_name("gos");
  auto* opset = proto.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOpset);
  onnx::GraphProto& graph = *proto.mutable_graph();
  graph.set_name("gos_model");
  detail::Converter converter(traced, graph, batch);
  converter.convert();
  const auto describe = [](onnx::ValueInfoProto& info, const std::string& name, const Shape& shape, bool symbolic) {
    info.set_name(name);
    auto* type = info.mutable_type()->mutable_tensor_type();
    type->set_elem_type(onnx::TensorProto::FLOAT);
    for (size_t i = 0; i < shape.size(); ++i) {
      auto* dim = type->mutable_shape()->add_dim();
      if (i == 0 && symbolic)
        dim->set_dim_param("batch");
      else
        dim->set_dim_value(shape[i]);
    }
  };
  describe(*graph.add_input(), "input", input, symbolic);
  const auto output_type = traced.graph->outputs().at(0)->type()->cast<c10::TensorType>();
  const auto output_shape = output_type ? output_type->sizes().concrete_sizes() : c10::nullopt;
  describe(*graph.add_output(), "output", output_shape.value_or(Shape{}), symbolic && converter.output_batched());
  check_model(proto, "the exported model");
  return proto;
}

void export_onnx(TorchModel& model, const Shape& input, const std::string& path, BatchDim batch) {
  write_model(to_onnx(model, input, batch), path);
}

}  // namespace gos::onnx_io
