#include "torchlib/onnx/export.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/constant_propagation.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "framework/error.h"
#include "framework/text.h"
#include "torchlib/export.h"

namespace gos::onnx_io {
namespace {

using torch::jit::Node;
using torch::jit::Value;
using Ints = std::vector<int64_t>;

constexpr int64_t kOpset = 17;

// Lowers a traced LibTorch graph to ONNX nodes. Tensor values get ONNX names;
// non-tensor values (ints, lists, scalars) and constant tensors are known at
// export time and become attributes or initializers where they are used.
class Converter {
 public:
  Converter(const TracedModel& traced, onnx::GraphProto& graph) : traced_(traced), graph_(graph) {}

  void convert() {
    const auto inputs = traced_.graph->inputs();
    names_[inputs.at(1)] = "input";
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
      throw Error(fmt::format("cannot export {}: an argument is computed at run time, where ONNX export needs a "
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
      throw Error(fmt::format("cannot export: the shape of a value made by {} is unknown",
                              v->node()->kind().toQualString()));
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
      throw Error(fmt::format("cannot export: a value made by {} has no ONNX equivalent", v->node()->kind().toQualString()));
    if (value->second.isTensor()) return names_[v] = initializer(value->second.toTensor());
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
    produce(node, "Reshape", {tensor(node->input(0)), ints_initializer(shape(node->output(0)))});
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
  void lower_conv(const Node* node, size_t stride, size_t pad, size_t dilation, size_t groups, bool has_transposed);
  void lower_pool(const Node* node, bool max);
  void lower_binary(const Node* node, const std::string& op);

  const TracedModel& traced_;
  onnx::GraphProto& graph_;
  std::unordered_map<const Value*, std::string> names_;
  std::unordered_map<const Value*, c10::IValue> constants_;
  std::unordered_map<const Value*, torch::Tensor> attributes_;  // parameters and buffers
  std::set<std::string> initializers_;
  int counter_ = 0;
};

void Converter::lower_conv(const Node* node, size_t stride, size_t pad, size_t dilation, size_t groups,
                           bool has_transposed) {
  if (has_transposed && constant(node->input(6), node).toBool())
    throw Error("cannot export a transposed convolution (ConvTranspose is not lowered)");
  const size_t n = shape(node->input(1)).size() - 2;
  std::vector<std::string> inputs{tensor(node->input(0)), tensor(node->input(1))};
  if (!is_none(node, 2)) inputs.push_back(tensor(node->input(2)));
  auto& conv = produce(node, "Conv", inputs);
  const Ints weight = shape(node->input(1));
  attr(conv, "kernel_shape", Ints(weight.begin() + 2, weight.end()));
  attr(conv, "strides", spatial(node, stride, n));
  attr(conv, "pads", onnx_pads(spatial(node, pad, n)));
  attr(conv, "dilations", spatial(node, dilation, n));
  attr(conv, "group", integer(node, groups));
}

// max_poolNd(x, kernel, stride, padding, dilation, ceil_mode);
// avg_poolNd(x, kernel, stride, padding, ceil_mode, count_include_pad[, divisor_override]).
void Converter::lower_pool(const Node* node, bool max) {
  const Ints kernel = ints(node, 1);
  const size_t n = kernel.size();
  Ints stride = ints(node, 2);
  if (stride.empty()) stride = kernel;  // LibTorch's default stride is the kernel
  if (stride.size() == 1 && n > 1) stride.assign(n, stride[0]);
  auto& pool = produce(node, max ? "MaxPool" : "AveragePool", {tensor(node->input(0))});
  attr(pool, "kernel_shape", kernel);
  attr(pool, "strides", stride);
  attr(pool, "pads", onnx_pads(spatial(node, 3, n)));
  if (max) {
    attr(pool, "dilations", spatial(node, 4, n));
    attr(pool, "ceil_mode", int64_t(constant(node->input(5), node).toBool()));
  } else {
    attr(pool, "ceil_mode", int64_t(constant(node->input(4), node).toBool()));
    attr(pool, "count_include_pad", int64_t(constant(node->input(5), node).toBool()));
    if (node->inputs().size() > 6 && !is_none(node, 6))
      throw Error("cannot export avg_pool with divisor_override");
  }
}

void Converter::lower_binary(const Node* node, const std::string& op) {
  const c10::ScalarType type = dtype(node->output(0));
  std::string b = tensor(node->input(1), type);
  // add/sub(a, b, alpha): b scaled by alpha.
  if ((op == "Add" || op == "Sub") && node->inputs().size() > 2 && real(node, 2) != 1.0)
    b = step("Mul", {b, scalar_initializer(real(node, 2), type)});
  produce(node, op, {tensor(node->input(0), type), b});
}

void Converter::lower(Node* node) {
  const std::string kind = node->kind().toQualString();
  if (kind == "prim::Constant") {
    constants_[node->output(0)] = torch::jit::toIValue(node->output(0)).value();
    return;
  }
  if (kind == "prim::GetAttr") {
    const std::string attribute = node->s(c10::Symbol::attr("name"));
    const auto found = traced_.names.find(attribute);
    const torch::Tensor value = traced_.module.attr(attribute).toTensor();
    names_[node->output(0)] = initializer(value, found == traced_.names.end() ? attribute : found->second);
    attributes_[node->output(0)] = value;
    return;
  }
  if (kind == "prim::ListConstruct") {
    bool all_known = true;
    for (const Value* in : node->inputs()) all_known = all_known && known(in);
    if (all_known && node->output()->type()->cast<c10::ListType>() &&
        node->output()->type()->cast<c10::ListType>()->getElementType()->kind() == c10::TypeKind::IntType) {
      std::vector<int64_t> values;
      for (const Value* in : node->inputs()) values.push_back(constants_.at(in).toInt());
      constants_[node->output(0)] = c10::IValue(values);
    }
    return;  // tensor lists are read by their user (aten::cat)
  }
  if (kind == "aten::size") {
    const Ints sizes = shape(node->input(0));
    if (node->inputs().size() == 1) {
      constants_[node->output(0)] = c10::IValue(sizes);
    } else {
      int64_t dim = integer(node, 1);
      constants_[node->output(0)] = sizes.at(size_t(dim < 0 ? dim + int64_t(sizes.size()) : dim));
    }
    return;
  }
  if (kind == "prim::NumToTensor" || kind == "aten::Int" || kind == "aten::Float" || kind == "aten::ScalarImplicit") {
    if (known(node->input(0))) {
      constants_[node->output(0)] = constants_.at(node->input(0));
      return;
    }
  }
  // Anything else computed from constants alone (index tensors, masks) is evaluated now.
  bool all_known = !node->inputs().empty();
  for (const Value* in : node->inputs()) all_known = all_known && known(in) && !names_.count(in);
  if (all_known && node->outputs().size() == 1) {
    torch::jit::Stack stack;
    for (const Value* in : node->inputs()) stack.push_back(constants_.at(in));
    node->getOperation()(stack);
    constants_[node->output(0)] = stack.back();
    return;
  }

  static const std::map<std::string, std::string> kUnary = {
      {"aten::relu", "Relu"}, {"aten::relu_", "Relu"},       {"aten::sigmoid", "Sigmoid"}, {"aten::sqrt", "Sqrt"},
      {"aten::erf", "Erf"},   {"aten::tanh", "Tanh"},        {"aten::exp", "Exp"},         {"aten::neg", "Neg"},
      {"aten::abs", "Abs"},   {"aten::hardswish", "HardSwish"}, {"aten::hardswish_", "HardSwish"}};
  static const std::map<std::string, std::string> kBinary = {
      {"aten::add", "Add"}, {"aten::add_", "Add"}, {"aten::sub", "Sub"}, {"aten::mul", "Mul"},
      {"aten::mul_", "Mul"}, {"aten::div", "Div"}, {"aten::pow", "Pow"}, {"aten::matmul", "MatMul"},
      {"aten::mm", "MatMul"}};
  static const std::set<std::string> kAliases = {"aten::contiguous", "aten::clone",  "aten::detach",
                                                 "aten::dropout",    "aten::alias",  "aten::feature_dropout",
                                                 "aten::lift_fresh", "aten::lift"};
  static const std::set<std::string> kReshapes = {"aten::reshape", "aten::view",    "aten::flatten",
                                                  "aten::squeeze", "aten::unsqueeze", "aten::view_as",
                                                  "aten::reshape_as"};
  if (auto op = kUnary.find(kind); op != kUnary.end()) {
    produce(node, op->second, {tensor(node->input(0))});
  } else if (auto op = kBinary.find(kind); op != kBinary.end()) {
    if (kind == "aten::div" && node->inputs().size() > 2 && !is_none(node, 2))
      throw Error("cannot export aten::div with a rounding mode");
    lower_binary(node, op->second);
  } else if (kAliases.count(kind)) {
    alias(node);
  } else if (kReshapes.count(kind)) {
    reshape_to_output(node);
  } else if (kind == "aten::to" || kind == "aten::type_as") {
    if (dtype(node->output(0)) == dtype(node->input(0))) {
      alias(node);
    } else {
      attr(produce(node, "Cast", {tensor(node->input(0))}), "to", int64_t(onnx_type(dtype(node->output(0)))));
    }
  } else if (kind == "aten::_convolution") {
    lower_conv(node, 3, 4, 5, 8, true);
  } else if (kind == "aten::convolution") {
    lower_conv(node, 3, 4, 5, 8, true);
  } else if (kind == "aten::conv1d" || kind == "aten::conv2d" || kind == "aten::conv3d") {
    lower_conv(node, 3, 4, 5, 6, false);
  } else if (kind == "aten::batch_norm") {
    auto& bn = produce(node, "BatchNormalization",
                       {tensor(node->input(0)), tensor(node->input(1)), tensor(node->input(2)), tensor(node->input(3)),
                        tensor(node->input(4))});
    attr(bn, "epsilon", real(node, 7));
    attr(bn, "momentum", 1.0 - real(node, 6));
  } else if (kind == "aten::hardsigmoid" || kind == "aten::hardsigmoid_") {
    auto& n = produce(node, "HardSigmoid", {tensor(node->input(0))});
    attr(n, "alpha", 1.0 / 6.0);
    attr(n, "beta", 0.5);
  } else if (kind == "aten::clamp" || kind == "aten::clamp_min" || kind == "aten::clamp_max" ||
             kind == "aten::hardtanh" || kind == "aten::clamp_" || kind == "aten::hardtanh_") {
    const c10::ScalarType type = dtype(node->input(0));
    std::string low, high;
    if (kind == "aten::clamp_max") {
      high = tensor(node->input(1), type);
    } else {
      if (!is_none(node, 1)) low = tensor(node->input(1), type);
      if (node->inputs().size() > 2 && !is_none(node, 2)) high = tensor(node->input(2), type);
    }
    produce(node, "Clip", {tensor(node->input(0)), low, high});
  } else if (kind == "aten::gelu") {
    if (node->inputs().size() > 1 && known(node->input(1)) && constant(node->input(1), node).toStringRef() != "none")
      throw Error("cannot export the tanh approximation of GELU");
    // 0.5 x (1 + erf(x / sqrt 2)): Gelu is not an ONNX operator before opset 20.
    const c10::ScalarType type = dtype(node->input(0));
    const std::string x = tensor(node->input(0));
    const std::string erf = step("Erf", {step("Div", {x, scalar_initializer(std::sqrt(2.0), type)})});
    const std::string one_plus = step("Add", {erf, scalar_initializer(1.0, type)});
    produce(node, "Mul", {step("Mul", {x, scalar_initializer(0.5, type)}), one_plus});
  } else if (kind == "aten::rsub") {
    const c10::ScalarType type = dtype(node->output(0));
    std::string a = tensor(node->input(0), type);
    if (node->inputs().size() > 2 && real(node, 2) != 1.0) a = step("Mul", {a, scalar_initializer(real(node, 2), type)});
    produce(node, "Sub", {tensor(node->input(1), type), a});
  } else if (kind == "aten::addmm") {
    auto& gemm = produce(node, "Gemm", {tensor(node->input(1)), tensor(node->input(2)), tensor(node->input(0))});
    attr(gemm, "beta", real(node, 3));
    attr(gemm, "alpha", real(node, 4));
  } else if (kind == "aten::linear") {
    const std::string x = tensor(node->input(0)), w = tensor(node->input(1));
    if (shape(node->input(0)).size() == 2) {
      std::vector<std::string> inputs{x, w};
      if (!is_none(node, 2)) inputs.push_back(tensor(node->input(2)));
      attr(produce(node, "Gemm", inputs), "transB", int64_t(1));
    } else {
      const std::string wt = step("Transpose", {w});
      if (is_none(node, 2)) produce(node, "MatMul", {x, wt});
      else produce(node, "Add", {step("MatMul", {x, wt}), tensor(node->input(2))});
    }
  } else if (kind == "aten::t" || kind == "aten::numpy_T") {
    attr(produce(node, "Transpose", {tensor(node->input(0))}), "perm", Ints{1, 0});
  } else if (kind == "aten::permute") {
    attr(produce(node, "Transpose", {tensor(node->input(0))}), "perm", ints(node, 1));
  } else if (kind == "aten::transpose") {
    const int64_t rank = int64_t(shape(node->input(0)).size());
    int64_t a = integer(node, 1), b = integer(node, 2);
    a = a < 0 ? a + rank : a;
    b = b < 0 ? b + rank : b;
    Ints perm;
    for (int64_t i = 0; i < rank; ++i) perm.push_back(i == a ? b : i == b ? a : i);
    attr(produce(node, "Transpose", {tensor(node->input(0))}), "perm", perm);
  } else if (kind == "aten::expand" || kind == "aten::expand_as") {
    produce(node, "Expand", {tensor(node->input(0)), ints_initializer(shape(node->output(0)))});
  } else if (kind == "aten::cat" || kind == "aten::concat") {
    const Node* list = node->input(0)->node();
    std::vector<std::string> inputs;
    for (const Value* in : list->inputs()) inputs.push_back(tensor(in));
    int64_t axis = integer(node, 1);
    if (axis < 0) axis += int64_t(shape(node->output(0)).size());
    attr(produce(node, "Concat", inputs), "axis", axis);
  } else if (kind == "aten::slice" || kind == "aten::narrow") {
    const int64_t rank = int64_t(shape(node->input(0)).size());
    int64_t dim = integer(node, 1);
    dim = dim < 0 ? dim + rank : dim;
    int64_t start = 0, end = std::numeric_limits<int64_t>::max(), stride = 1;
    if (kind == "aten::narrow") {
      start = integer(node, 2);
      end = start + integer(node, 3);
    } else {
      if (!is_none(node, 2)) start = integer(node, 2);
      if (!is_none(node, 3)) end = integer(node, 3);
      stride = integer(node, 4);
    }
    produce(node, "Slice", {tensor(node->input(0)), ints_initializer({start}), ints_initializer({end}),
                            ints_initializer({dim}), ints_initializer({stride})});
  } else if (kind == "aten::select") {
    const std::string index = initializer(torch::tensor(integer(node, 2), torch::TensorOptions().dtype(torch::kInt64)));
    attr(produce(node, "Gather", {tensor(node->input(0)), index}), "axis", integer(node, 1));
  } else if (kind == "aten::index_select") {
    attr(produce(node, "Gather", {tensor(node->input(0)), tensor(node->input(2))}), "axis", integer(node, 1));
  } else if (kind == "aten::constant_pad_nd" || kind == "aten::pad" || kind.starts_with("aten::reflection_pad") ||
             kind.starts_with("aten::replication_pad")) {
    // LibTorch pads list (begin, end) pairs from the last dimension backwards.
    const Ints torch_pads = ints(node, 1);
    const size_t rank = shape(node->input(0)).size();
    Ints pads(2 * rank, 0);
    for (size_t i = 0; i < torch_pads.size() / 2; ++i) {
      pads[rank - 1 - i] = torch_pads[2 * i];
      pads[2 * rank - 1 - i] = torch_pads[2 * i + 1];
    }
    std::string mode = "constant";
    if (kind.starts_with("aten::reflection_pad")) mode = "reflect";
    if (kind.starts_with("aten::replication_pad")) mode = "edge";
    if (kind == "aten::pad") {
      const std::string torch_mode = constant(node->input(2), node).toStringRef();
      mode = torch_mode == "reflect" ? "reflect" : torch_mode == "replicate" ? "edge" : "constant";
    }
    std::vector<std::string> inputs{tensor(node->input(0)), ints_initializer(pads)};
    const size_t value_index = kind == "aten::pad" ? 3 : 2;
    if (mode == "constant" && node->inputs().size() > value_index && !is_none(node, value_index))
      inputs.push_back(scalar_initializer(real(node, value_index), dtype(node->input(0))));
    attr(produce(node, "Pad", inputs), "mode", mode);
  } else if (kind == "aten::max_pool1d" || kind == "aten::max_pool2d" || kind == "aten::max_pool3d") {
    lower_pool(node, true);
  } else if (kind == "aten::avg_pool1d" || kind == "aten::avg_pool2d" || kind == "aten::avg_pool3d") {
    lower_pool(node, false);
  } else if (kind == "aten::adaptive_avg_pool2d") {
    const Ints out = ints(node, 1);
    if (out != Ints{1, 1} && out != Ints{1}) throw Error("cannot export adaptive_avg_pool2d to a size other than 1x1");
    produce(node, "GlobalAveragePool", {tensor(node->input(0))});
  } else if (kind == "aten::mean") {
    const Ints in = shape(node->input(0));
    Ints axes;
    bool keep = false;
    if (node->inputs().size() >= 3 && !is_none(node, 1)) {
      axes = ints(node, 1);
      keep = constant(node->input(2), node).toBool();
    }
    if (axes.empty())
      for (size_t i = 0; i < in.size(); ++i) axes.push_back(int64_t(i));
    auto& mean = produce(node, "ReduceMean", {tensor(node->input(0))});
    attr(mean, "axes", axes);
    attr(mean, "keepdims", int64_t(keep));
  } else if (kind == "aten::softmax") {
    attr(produce(node, "Softmax", {tensor(node->input(0))}), "axis", integer(node, 1));
  } else if (kind == "aten::pixel_shuffle") {
    auto& d2s = produce(node, "DepthToSpace", {tensor(node->input(0))});
    attr(d2s, "blocksize", integer(node, 1));
    attr(d2s, "mode", std::string("CRD"));
  } else if (kind == "aten::pixel_unshuffle") {
    const Ints in = shape(node->input(0));
    const int64_t r = integer(node, 1);
    const std::string split = step("Reshape", {tensor(node->input(0)),
                                               ints_initializer({in[0], in[1], in[2] / r, r, in[3] / r, r})});
    auto& t = emit("Transpose", {split}, fresh());
    attr(t, "perm", Ints{0, 1, 3, 5, 2, 4});
    produce(node, "Reshape", {t.output(0), ints_initializer(shape(node->output(0)))});
  } else if (kind == "aten::repeat_interleave") {
    // x.repeat_interleave(r, dim) on static shapes: insert a size-1 axis after
    // dim, expand it to r, merge it back.
    if (!known(node->input(1)) || !constant(node->input(1), node).isInt())
      throw Error("cannot export repeat_interleave with a tensor of repeats");
    Ints in = shape(node->input(0));
    const int64_t r = integer(node, 1);
    int64_t dim = integer(node, 2);
    dim = dim < 0 ? dim + int64_t(in.size()) : dim;
    Ints inserted = in;
    inserted.insert(inserted.begin() + dim + 1, 1);
    Ints expanded = inserted;
    expanded[size_t(dim) + 1] = r;
    const std::string a = step("Reshape", {tensor(node->input(0)), ints_initializer(inserted)});
    const std::string b = step("Expand", {a, ints_initializer(expanded)});
    produce(node, "Reshape", {b, ints_initializer(shape(node->output(0)))});
  } else if (kind == "aten::where") {
    produce(node, "Where", {tensor(node->input(0)), tensor(node->input(1)), tensor(node->input(2))});
  } else {
    throw Error(fmt::format("cannot export the LibTorch operation {} to ONNX: no lowering for it (the exporter lowers "
                            "convolutions, batch norm, activations, arithmetic, pooling, reshapes, slicing, padding, "
                            "concatenation, pixel (un)shuffle and GELU)",
                            kind));
  }
}

}  // namespace

onnx::ModelProto to_onnx(TorchModel& model, const Shape& input) {
  TracedModel traced = trace_model(model, input);
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
  Converter(traced, graph).convert();
  const auto describe = [](onnx::ValueInfoProto& info, const std::string& name, const Shape& shape) {
    info.set_name(name);
    auto* type = info.mutable_type()->mutable_tensor_type();
    type->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t size : shape) type->mutable_shape()->add_dim()->set_dim_value(size);
  };
  describe(*graph.add_input(), "input", input);
  const auto output_type = traced.graph->outputs().at(0)->type()->cast<c10::TensorType>();
  const auto output_shape = output_type ? output_type->sizes().concrete_sizes() : c10::nullopt;
  describe(*graph.add_output(), "output", output_shape.value_or(Shape{}));
  check_model(proto, "the exported model");
  return proto;
}

void export_onnx(TorchModel& model, const Shape& input, const std::string& path) {
  write_model(to_onnx(model, input), path);
}

}  // namespace gos::onnx_io
