#pragma once
// The traced-graph-to-ONNX converter behind to_onnx (export.h): the class
// with its value and batch bookkeeping here, the per-operation lowering in
// export_lowering.cc. Internal to those two files.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/csrc/jit/ir/ir.h>

#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "framework/error.h"
#include "torchlib/export.h"
#include "torchlib/onnx/export.h"

namespace gos::onnx_io::detail {

using torch::jit::Node;
using torch::jit::Value;
using Ints = std::vector<int64_t>;

// Lowers a traced LibTorch graph to ONNX nodes. Tensor values get ONNX names;
// non-tensor values (ints, lists, scalars) and constant tensors are known at
// export time and become attributes or initializers where they are used.
//
// For a symbolic batch the converter tracks the values computed from the
// input (their dimension 0 is the batch): their target shapes keep dimension
// 0 at run time, and an operation that mixes the batch with other dimensions,
// or a constant tensor as long as the traced batch, is refused, naming it.
class Converter {
 public:
  Converter(const TracedModel& traced, onnx::GraphProto& graph, BatchDim batch)
      : traced_(traced), graph_(graph), symbolic_(batch == BatchDim::kSymbolic) {}

  // Whether the model's output carries the input's batch in dimension 0.
  bool output_batched() const { return batched_.count(traced_.graph->outputs().at(0)) > 0; }

  void convert() {
    const auto inputs = traced_.graph->inputs();
    names_[inputs.at(1)] = "input";
    batched_.insert(inputs.at(1));
    batch_ = shape(inputs.at(1)).at(0);
    for (Node* node : traced_.graph->nodes()) lower(node);
    const Value* output = traced_.graph->outputs().at(0);
    emit("Identity", {tensor(output)}, "output");
    // Weighted nodes are named "/<module>/<Op>" after their weight
    // ("layer1.0.conv1.weight"), the scope form torch.onnx.export writes, so
    // that the importer gives their slots the module's path again.
    for (onnx::NodeProto& node : *graph_.mutable_node()) {
      if (node.input_size() < 2 || !node.input(1).ends_with(".weight")) continue;
      const std::string& weight = node.input(1);
      node.set_name("/" + weight.substr(0, weight.size() - 7) + "/" + node.op_type());
    }
  }

 private:
  // --- values ---------------------------------------------------------------
  bool known(const Value* v) const { return constants_.count(v) > 0; }
  const c10::IValue& constant(const Value* v, const Node* node) const {
    const auto found = constants_.find(v);
    if (found == constants_.end())
      throw Error(
          fmt::format("cannot export {}: an argument is computed at run time, where ONNX export needs a "
                      "constant",
                      node->kind().toQualString()));
    return found->second;
  }
  int64_t integer(const Node* node, size_t i) const { return constant(node->input(i), node).toInt(); }
  double real(const Node* node, size_t i) const { return constant(node->input(i), node).toScalar().toDouble(); }
  Ints ints(const Node* node, size_t i) const { return constant(node->input(i), node).toIntVector(); }
  bool is_none(const Node* node, size_t i) const {
    return known(node->input(i)) && constant(node->input(i), node).isNone();
  }

  // The tensor a value holds at export time (a parameter, buffer or constant).
  const torch::Tensor* known_tensor(const Value* v) const {
    if (const auto attribute = attributes_.find(v); attribute != attributes_.end()) return &attribute->second;
    if (const auto value = constants_.find(v); value != constants_.end() && value->second.isTensor())
      return &value->second.toTensor();
    return nullptr;
  }
  Ints shape(const Value* v) const {
    if (const torch::Tensor* tensor = known_tensor(v)) return tensor->sizes().vec();
    const auto type = v->type()->cast<c10::TensorType>();
    const auto sizes = type ? type->sizes().concrete_sizes() : c10::nullopt;
    if (!sizes)
      throw Error(
          fmt::format("cannot export: the shape of a value made by {} is unknown", v->node()->kind().toQualString()));
    return *sizes;
  }
  c10::ScalarType dtype(const Value* v) const {
    if (const torch::Tensor* tensor = known_tensor(v)) return tensor->scalar_type();
    const auto type = v->type()->cast<c10::TensorType>();
    return type && type->scalarType() ? *type->scalarType() : torch::kFloat32;
  }

  std::string initializer(const torch::Tensor& value, const std::string& name = "") {
    const std::string key = name.empty() ? fmt::format("const_{}", counter_++) : name;
    if (!initializers_.count(key)) {
      *graph_.add_initializer() = to_proto(value, key);
      initializers_.insert(key);
    }
    return key;
  }
  std::string ints_initializer(const Ints& values) {
    return initializer(torch::tensor(values, torch::TensorOptions().dtype(torch::kInt64)));
  }
  std::string scalar_initializer(double value, c10::ScalarType type) {
    return initializer(torch::tensor(value).to(type));
  }

  // The ONNX name of a tensor operand; constants (and numbers, as tensors of
  // `like`'s type) become initializers.
  std::string tensor(const Value* v, c10::optional<c10::ScalarType> like = c10::nullopt) {
    const auto found = names_.find(v);
    if (found != names_.end()) return found->second;
    const auto value = constants_.find(v);
    if (value == constants_.end())
      throw Error(
          fmt::format("cannot export: a value made by {} has no ONNX equivalent", v->node()->kind().toQualString()));
    if (value->second.isTensor()) {
      // LibTorch's C++ tracer records sizes as plain numbers, so a tensor
      // made from the input's size (torch::ones({x.size(0), C})) is a
      // constant here; its first dimension is what gives it away.
      const torch::Tensor& constant = value->second.toTensor();
      if (symbolic_ && constant.dim() > 0 && constant.size(0) == batch_)
        throw batch_error(v->node(), fmt::format("makes a constant of shape [{}], the traced batch size ({}) first",
                                                 fmt::join(constant.sizes(), ", "), batch_));
      return names_[v] = initializer(constant);
    }
    if (value->second.isScalar() || value->second.isBool())
      return scalar_initializer(value->second.toScalar().toDouble(), like.value_or(torch::kFloat32));
    throw Error(fmt::format("cannot export: a {} is used as a tensor", value->second.tagKind()));
  }

  onnx::NodeProto& emit(const std::string& op, const std::vector<std::string>& inputs, const std::string& output) {
    onnx::NodeProto& node = *graph_.add_node();
    node.set_op_type(op);
    node.set_name(fmt::format("{}_{}", op, graph_.node_size()));
    for (const auto& in : inputs) node.add_input(in);
    node.add_output(output);
    return node;
  }
  std::string fresh() { return fmt::format("v{}", counter_++); }
  // Emits `op` producing the node's (first) output.
  onnx::NodeProto& produce(const Node* node, const std::string& op, const std::vector<std::string>& inputs) {
    const std::string out = fresh();
    names_[node->output(0)] = out;
    return emit(op, inputs, out);
  }
  std::string step(const std::string& op, const std::vector<std::string>& inputs) {
    const std::string out = fresh();
    emit(op, inputs, out);
    return out;
  }
  void alias(const Node* node, size_t input = 0) { names_[node->output(0)] = tensor(node->input(input)); }
  void reshape_to_output(const Node* node) {
    produce(node, "Reshape", {tensor(node->input(0)), ints_initializer(reshape_target(node, shape(node->output(0))))});
  }

  // --- the batch --------------------------------------------------------------
  bool is_batched(const Value* v) const { return batched_.count(v) > 0; }
  Error batch_error(const Node* node, const std::string& what) const {
    return Error(
        fmt::format("cannot export {} with a symbolic batch dimension: it {}; export with a static batch "
                    "instead (BatchDim::kStatic; gos model export --static-batch)",
                    node->kind().toQualString(), what));
  }
  // Refuses an operation on the batched input `data` that `touches` dimension 0.
  void keep_batch_axis(const Node* node, const Value* data, bool touches, const char* what) const {
    if (symbolic_ && touches && is_batched(data)) throw batch_error(node, what);
  }
  // A target shape for Reshape (`keep` 0: copy the input's dimension) or
  // Expand (`keep` 1: broadcast keeps it) of a tensor of shape `in` computed
  // from the node's input 0: dimension 0 becomes `keep`, so the batch is read
  // at run time, not baked in.
  Ints batch_target(const Node* node, const Ints& in, Ints target, int64_t keep) const {
    if (!symbolic_) return target;
    if (!is_batched(node->input(0))) {
      // A constant broadcast to the traced batch (w.expand_as(x)) would keep it.
      const bool grows = !target.empty() && target[0] == batch_ && (in.size() < target.size() || in[0] == 1);
      if (keep == 1 && grows) throw batch_error(node, "expands a constant to the traced batch size");
      return target;
    }
    if (target.empty() || in.empty() || target[0] != in[0] || (keep == 1 && target.size() != in.size()))
      throw batch_error(node, fmt::format("changes the batch dimension (shape [{}] to [{}])", fmt::join(in, ", "),
                                          fmt::join(target, ", ")));
    target[0] = keep;
    return target;
  }
  Ints reshape_target(const Node* node, Ints target) const {
    return batch_target(node, shape(node->input(0)), std::move(target), 0);
  }

  static void attr(onnx::NodeProto& n, const std::string& name, int64_t v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr(onnx::NodeProto& n, const std::string& name, double v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(float(v));
  }
  static void attr(onnx::NodeProto& n, const std::string& name, const Ints& v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void attr(onnx::NodeProto& n, const std::string& name, const std::string& v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
  }
  static Ints onnx_pads(const Ints& symmetric) {
    Ints pads = symmetric;
    pads.insert(pads.end(), symmetric.begin(), symmetric.end());
    return pads;
  }
  // An int list argument expanded to `n` spatial values (LibTorch allows one value for all).
  Ints spatial(const Node* node, size_t i, size_t n) const {
    Ints v = ints(node, i);
    if (v.size() == 1 && n > 1) v.assign(n, v[0]);
    return v;
  }

  // --- lowering -------------------------------------------------------------
  void lower(Node* node);
  void lower_node(Node* node, const std::string& kind);
  void lower_conv(const Node* node, size_t stride, size_t pad, size_t dilation, size_t groups, bool has_transposed);
  void lower_pool(const Node* node, bool max);
  void lower_binary(const Node* node, const std::string& op);

  const TracedModel& traced_;
  onnx::GraphProto& graph_;
  const bool symbolic_;
  int64_t batch_ = 0;                             // the traced batch
  std::unordered_set<const Value*> batched_;      // computed from the input: dimension 0 is the batch
  std::unordered_map<const Value*, std::string> names_;
  std::unordered_map<const Value*, c10::IValue> constants_;
  std::unordered_map<const Value*, torch::Tensor> attributes_;  // parameters and buffers
  std::set<std::string> initializers_;
  int counter_ = 0;
};

}  // namespace gos::onnx_io::detail
