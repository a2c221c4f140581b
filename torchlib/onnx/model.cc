#include "torchlib/onnx/model.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <numeric>
#include <set>

#include "framework/error.h"
#include "framework/text.h"

namespace gos::onnx_io {
namespace {

double elements(const Shape& shape) {
  return std::accumulate(shape.begin(), shape.end(), 1.0, [](double a, int64_t b) { return a * double(b); });
}

std::string size_string(const std::vector<int64_t>& sizes) {
  std::vector<std::string> parts;
  for (int64_t size : sizes) parts.push_back(std::to_string(size));
  return join(parts, "x");
}

// A slot holding one ONNX node with its constant inputs bound to parameters
// (weights) or buffers (batch-norm statistics, clip bounds).
class NodeOperator : public Operator {
 public:
  NodeOperator(const onnx::NodeProto& node, int64_t opset, const std::vector<torch::Tensor>& constants,
               const std::vector<bool>& trainable)
      : op_(node.op_type()), kernel_(lower_node(node, opset)) {
    static const std::map<std::string, std::vector<std::string>> kNames = {
        {"Conv", {"weight", "bias"}},
        {"Gemm", {"weight", "bias"}},
        {"MatMul", {"weight"}},
        {"BatchNormalization", {"weight", "bias", "running_mean", "running_var"}},
        {"Clip", {"min", "max"}}};
    const auto names = kNames.count(op_) ? kNames.at(op_) : std::vector<std::string>{};
    for (size_t i = 0; i < constants.size(); ++i) {
      if (!constants[i].defined()) {
        bound_.emplace_back();
        continue;
      }
      const std::string& name = names.at(i);
      if (trainable[i] && c10::isFloatingType(constants[i].scalar_type()) && name != "running_mean" &&
          name != "running_var")
        bound_.push_back(register_parameter(name, constants[i]));
      else
        bound_.push_back(register_buffer(name, constants[i]));
    }
    const Attributes attributes(node);
    if (op_ == "BatchNormalization") {
      epsilon_ = attributes.get_float("epsilon", 1e-5f);
      momentum_ = 1.0 - attributes.get_float("momentum", 0.9f);  // ONNX weights the running value
    }
    kernel_shape_ = attributes.get_ints("kernel_shape");
    if (op_ == "Conv") {
      const torch::Tensor& weight = bound_.at(0);
      kernel_shape_.assign(weight.sizes().begin() + 2, weight.sizes().end());
      const int64_t groups = attributes.get_int("group", 1);
      kind_ = (groups > 1 && groups == weight.size(0) ? "dwconv" : "conv") + size_string(kernel_shape_);
    } else if (op_ == "Gemm" || op_ == "MatMul") {
      kind_ = "linear";
    } else if (op_ == "BatchNormalization") {
      kind_ = "batchnorm";
    } else if (op_ == "MaxPool" || op_ == "AveragePool") {
      kind_ = (op_ == "MaxPool" ? "maxpool" : "avgpool") + size_string(kernel_shape_);
    } else if (op_ == "GlobalAveragePool") {
      kind_ = "globalpool";
    } else {
      kind_ = op_;
      std::transform(kind_.begin(), kind_.end(), kind_.begin(), [](unsigned char c) { return std::tolower(c); });
    }
  }

  torch::Tensor forward(torch::Tensor x) override {
    if (op_ == "BatchNormalization")
      return torch::batch_norm(x, bound_[0], bound_[1], bound_[2], bound_[3], is_training(), momentum_, epsilon_,
                               true);
    Tensors inputs{std::move(x)};
    inputs.insert(inputs.end(), bound_.begin(), bound_.end());
    return kernel_(inputs).at(0);
  }
  std::string kind() const override { return kind_; }
  double flops(const Shape& input, const Shape& output) const override {
    const double bias = bound_.size() > 1 && bound_[1].defined() ? 1 : 0;
    if (op_ == "Conv") return (2.0 * double(bound_[0].size(1)) * elements(kernel_shape_) + bias) * elements(output);
    if (op_ == "Gemm" || op_ == "MatMul") return (2.0 * double(input.back()) + bias) * elements(output);
    if (op_ == "BatchNormalization") return 2 * elements(output);
    if (op_ == "MaxPool" || op_ == "AveragePool") return elements(kernel_shape_) * elements(output);
    if (op_ == "GlobalAveragePool") return elements(input);
    return elements(output);
  }

 private:
  std::string op_, kind_;
  Kernel kernel_;
  std::vector<torch::Tensor> bound_;  // the node's inputs after the data input
  std::vector<int64_t> kernel_shape_;
  double epsilon_ = 1e-5, momentum_ = 0.1;
};

// Ops that become slots, with how many inputs each takes after the data input.
const std::map<std::string, size_t>& slot_ops() {
  static const std::map<std::string, size_t> ops = {
      {"Conv", 2},    {"Gemm", 2},        {"MatMul", 1},      {"BatchNormalization", 4},
      {"Relu", 0},    {"Clip", 2},        {"HardSigmoid", 0}, {"HardSwish", 0},
      {"Sigmoid", 0}, {"MaxPool", 0},     {"AveragePool", 0}, {"GlobalAveragePool", 0}};
  return ops;
}

std::string sanitize(const std::string& name) {
  std::string out;
  for (unsigned char c : name) out += std::isalnum(c) || c == '_' ? char(c) : '_';
  return out.empty() ? "_" : out;
}

Shape shape_of(const onnx::ValueInfoProto& value, bool& dynamic_batch, std::string& problem) {
  Shape shape;
  dynamic_batch = false;
  if (!value.type().tensor_type().has_shape()) {
    problem = "has no shape";
    return shape;
  }
  const auto& dims = value.type().tensor_type().shape().dim();
  for (int i = 0; i < dims.size(); ++i) {
    if (dims[i].has_dim_value()) {
      shape.push_back(dims[i].dim_value());
    } else if (i == 0) {
      dynamic_batch = true;
      shape.push_back(1);
    } else if (problem.empty()) {
      problem = fmt::format("has a dynamic dimension {} ('{}')", i, dims[i].dim_param());
      shape.push_back(1);
    }
  }
  return shape;
}

Shape example_input_of(const onnx::ModelProto& model) {
  std::set<std::string> initializers;
  for (const auto& tensor : model.graph().initializer()) initializers.insert(tensor.name());
  for (const auto& input : model.graph().input()) {
    if (initializers.count(input.name())) continue;
    bool dynamic = false;
    std::string problem;
    return shape_of(input, dynamic, problem);
  }
  return {};
}

}  // namespace

OnnxModel::OnnxModel(const onnx::ModelProto& model, std::string source, const ImportOptions& options)
    : SlottedModel(example_input_of(model)), source_(std::move(source)), opset_(default_opset(model)) {
  const auto fail = [&](const std::string& message) { return Error(fmt::format("{}: {}", source_, message)); };
  if (options.require_model_interface && (opset_ < 11 || opset_ > 17))
    throw fail(fmt::format("opset {} is not supported; GOS imports opsets 11 to 17 (re-export with "
                           "torch.onnx.export(..., opset_version=17))",
                           opset_));
  const onnx::GraphProto& graph = model.graph();
  // Every unsupported node at once, so one look at the message says what a model needs.
  std::vector<std::string> unsupported;
  for (int i = 0; i < graph.node_size(); ++i)
    if (!is_supported(graph.node(i).op_type()) || !(graph.node(i).domain().empty() || graph.node(i).domain() == "ai.onnx"))
      unsupported.push_back(fmt::format("node '{}' (op {}{})", graph.node(i).name(), graph.node(i).op_type(),
                                        graph.node(i).domain().empty() ? "" : ", domain " + graph.node(i).domain()));
  if (!unsupported.empty())
    throw fail(fmt::format("{} node(s) use operators GOS cannot import: {}; supported operators (default domain): {}",
                           unsupported.size(), join(unsupported, ", "), join(supported_operators(), ", ")));

  for (const auto& tensor : graph.initializer()) {
    const int id = value_id(tensor.name(), true);
    known_[id] = to_torch(tensor, fmt::format("initializer '{}'", tensor.name()));
    trainable_[id] = true;
  }
  for (const auto& input : graph.input()) {
    if (value_ids_.count(input.name())) continue;  // an initializer listed as input (older exporters)
    GraphInput in;
    in.name = input.name();
    std::string problem;
    if (!input.type().has_tensor_type()) throw fail(fmt::format("input '{}' is not a tensor", input.name()));
    in.type = scalar_type(input.type().tensor_type().elem_type(), fmt::format("input '{}'", input.name()));
    in.shape = shape_of(input, in.dynamic_batch, problem);
    if (options.require_model_interface) {
      if (in.type != torch::kFloat32)
        throw fail(fmt::format("input '{}' has element type {}; GOS models take one FLOAT (float32) input", in.name,
                               type_name(input.type().tensor_type().elem_type())));
      if (!problem.empty())
        throw fail(fmt::format("input '{}' {}; GOS imports static shapes (only the batch dimension, the first, may be "
                               "symbolic): re-export with a fixed input size",
                               in.name, problem));
    }
    input_ids_.push_back(value_id(in.name, true));
    inputs_.push_back(std::move(in));
  }
  if (options.require_model_interface && (inputs_.size() != 1 || graph.output_size() != 1))
    throw fail(fmt::format("the graph has {} inputs and {} outputs; GOS models map one input to one output",
                           inputs_.size(), graph.output_size()));

  for (const auto& node : graph.node())
    for (const auto& name : node.input()) ++uses_[name];
  for (const auto& output : graph.output()) ++uses_[output.name()];
  constant_holder_ = register_module("onnx_constants", std::make_shared<torch::nn::Module>());
  for (int i = 0; i < graph.node_size(); ++i) add_node(graph.node(i), size_t(i));
  for (const auto& output : graph.output()) {
    const auto found = value_ids_.find(output.name());
    if (found == value_ids_.end()) throw fail(fmt::format("output '{}' is computed by no node", output.name()));
    output_names_.push_back(output.name());
    output_ids_.push_back(found->second);
  }
  // Known values read by kernels (not bound into slots) go into the value table,
  // as parameters when they are float initializers.
  std::set<int> read;
  for (const Step& step : steps_)
    if (!step.slot) read.insert(step.inputs.begin(), step.inputs.end());
  read.insert(output_ids_.begin(), output_ids_.end());
  for (int id : read) {
    const auto found = known_.find(id);
    if (found == known_.end()) continue;
    const std::string name = fmt::format("c{}_{}", id, sanitize(value_names_[id]));
    torch::Tensor tensor = trainable_[id] && c10::isFloatingType(found->second.scalar_type())
                               ? constant_holder_->register_parameter(name, found->second)
                               : constant_holder_->register_buffer(name, found->second);
    constants_.emplace_back(id, tensor);
  }
  plan_releases();
}

int OnnxModel::value_id(const std::string& name, bool create) {
  const auto found = value_ids_.find(name);
  if (found != value_ids_.end()) return found->second;
  if (!create) throw Error(fmt::format("{}: value '{}' is used before any node computes it", source_, name));
  value_ids_[name] = int(value_names_.size());
  value_names_.push_back(name);
  return int(value_names_.size()) - 1;
}

void OnnxModel::add_node(const onnx::NodeProto& node, size_t index) {
  const std::string where = Attributes(node).where();
  if (node.op_type() == "Constant") {
    known_[value_id(node.output(0), true)] = lower_node(node, opset_)({}).at(0);
    return;
  }
  if (node.op_type() == "Identity" && value_ids_.count(node.input(0)) && known_.count(value_ids_.at(node.input(0)))) {
    const int from = value_ids_.at(node.input(0)), to = value_id(node.output(0), true);
    known_[to] = known_[from];
    trainable_[to] = trainable_[from];
    return;
  }
  if (add_slot_node(node, index)) return;
  Step step;
  step.where = where;
  step.kernel = lower_node(node, opset_);
  for (const auto& name : node.input()) {
    if (name.empty()) {
      step.inputs.push_back(-1);
      continue;
    }
    const auto found = value_ids_.find(name);
    if (found == value_ids_.end())
      throw Error(fmt::format("{}: {} reads '{}', which no earlier node computes", source_, where, name));
    step.inputs.push_back(found->second);
  }
  for (const auto& name : node.output()) step.outputs.push_back(name.empty() ? -1 : value_id(name, true));
  steps_.push_back(std::move(step));
}

bool OnnxModel::add_slot_node(const onnx::NodeProto& node, size_t index) {
  const auto spec = slot_ops().find(node.op_type());
  if (spec == slot_ops().end() || node.input_size() < 1 || node.output_size() != 1) return false;
  const auto data = value_ids_.find(node.input(0));
  if (data == value_ids_.end() || known_.count(data->second)) return false;
  if (size_t(node.input_size()) > spec->second + 1) return false;
  std::vector<torch::Tensor> constants;
  std::vector<bool> trainable;
  for (int i = 1; i < node.input_size(); ++i) {
    const std::string& name = node.input(i);
    if (name.empty()) {
      constants.emplace_back();
      trainable.push_back(false);
      continue;
    }
    const auto found = value_ids_.find(name);
    if (found == value_ids_.end() || !known_.count(found->second)) return false;
    const torch::Tensor& value = known_.at(found->second);
    // A weight shared with another node gets its own copy in this slot.
    constants.push_back(uses_[name] > 1 ? value.clone() : value);
    trainable.push_back(trainable_[found->second]);
  }
  if (node.op_type() == "Conv" && (constants.empty() || !constants[0].defined())) return false;
  if (node.op_type() == "MatMul" && constants.at(0).dim() != 2) return false;
  if (node.op_type() == "Gemm" && Attributes(node).get_int("transA", 0) != 0) return false;
  auto op = std::make_shared<NodeOperator>(node, opset_, constants, trainable);
  const std::string path = slot_path(node, index);
  const size_t dot = path.rfind('.');
  Slot& slot = dot == std::string::npos ? add_slot(*this, "", path, op)
                                        : add_slot(holder(path.substr(0, dot)), path.substr(0, dot),
                                                   path.substr(dot + 1), op);
  Step step;
  step.where = Attributes(node).where();
  step.slot = &slot;
  step.inputs = {data->second};
  step.outputs = {value_id(node.output(0), true)};
  steps_.push_back(std::move(step));
  return true;
}

// "/layer1/layer1.0/conv1/Conv" -> "layer1.0.conv1": each scope that extends
// the previous one ("layer1" -> "layer1.0") replaces it. Unscoped names are
// sanitised; unnamed nodes get "<op>_<index>". Duplicates get "_1", "_2", ...
std::string OnnxModel::slot_path(const onnx::NodeProto& node, size_t index) {
  std::vector<std::string> parts;
  const std::string& name = node.name();
  if (!name.empty() && name[0] == '/') {
    std::vector<std::string> scopes;
    for (size_t start = 1, end; start <= name.size(); start = end + 1) {
      end = name.find('/', start);
      if (end == std::string::npos) end = name.size();
      if (end > start) scopes.push_back(name.substr(start, end - start));
    }
    if (!scopes.empty()) scopes.pop_back();  // the op's own name ("Conv", "Relu_1")
    std::vector<std::string> merged;
    for (const std::string& scope : scopes) {
      if (!merged.empty() && scope.starts_with(merged.back() + "."))
        merged.back() = scope;
      else
        merged.push_back(scope);
    }
    for (const std::string& scope : merged) {
      for (size_t start = 0, end; start <= scope.size(); start = end + 1) {
        end = scope.find('.', start);
        if (end == std::string::npos) end = scope.size();
        parts.push_back(sanitize(scope.substr(start, end - start)));
      }
    }
  }
  if (parts.empty()) parts.push_back(name.empty() ? fmt::format("{}_{}", node.op_type(), index) : sanitize(name));
  const auto taken = [&](const std::string& path) {
    for (const std::string& other : slot_paths_taken_)
      if (other == path || other.starts_with(path + ".") || path.starts_with(other + ".")) return true;
    return false;
  };
  std::string base = join(parts, ".");
  if (taken(base) && parts.size() > 1) {
    // Nested under an existing slot, or a module path in use: keep the path
    // and try the suffixes; fall back to one flat name when nesting collides.
    bool nested_under_slot = false;
    for (const std::string& other : slot_paths_taken_) nested_under_slot |= base.starts_with(other + ".");
    if (nested_under_slot) base = join(parts, "_");
  }
  std::string path = base;
  for (int k = 1; taken(path); ++k) path = fmt::format("{}_{}", base, k);
  slot_paths_taken_.push_back(path);
  return path;
}

torch::nn::Module& OnnxModel::holder(const std::string& path) {
  torch::nn::Module* module = this;
  for (size_t start = 0, end; start <= path.size(); start = end + 1) {
    end = path.find('.', start);
    if (end == std::string::npos) end = path.size();
    const std::string name = path.substr(start, end - start);
    std::shared_ptr<torch::nn::Module> child;
    for (const auto& item : module->named_children())
      if (item.key() == name) child = item.value();
    if (!child) child = module->register_module(name, std::make_shared<torch::nn::Module>());
    module = child.get();
  }
  return *module;
}

void OnnxModel::plan_releases() {
  std::vector<int> last_use(value_names_.size(), -1);
  for (size_t i = 0; i < steps_.size(); ++i)
    for (int id : steps_[i].inputs)
      if (id >= 0) last_use[id] = int(i);
  std::set<int> kept(output_ids_.begin(), output_ids_.end());
  for (const auto& [id, tensor] : constants_) kept.insert(id);
  for (size_t id = 0; id < last_use.size(); ++id)
    if (last_use[id] >= 0 && !kept.count(int(id))) steps_[last_use[id]].released.push_back(int(id));
}

void OnnxModel::check_input(const torch::Tensor& tensor, const GraphInput& input) const {
  bool matches = tensor.dim() == int64_t(input.shape.size());
  for (int64_t i = 0; matches && i < tensor.dim(); ++i)
    matches = tensor.size(i) == input.shape[i] || (i == 0 && input.dynamic_batch);
  if (!matches)
    throw Error(fmt::format("{}: input '{}' has shape {}, but the model takes {}{}", source_, input.name,
                            shape_string(Shape(tensor.sizes().begin(), tensor.sizes().end())),
                            input.dynamic_batch ? "Nx" : "",
                            shape_string(input.dynamic_batch ? Shape(input.shape.begin() + 1, input.shape.end())
                                                             : input.shape)));
}

torch::Tensor OnnxModel::forward(torch::Tensor input) {
  if (inputs_.size() != 1 || output_ids_.size() != 1)
    throw Error(fmt::format("{}: forward() needs one input and one output; the graph has {} and {}", source_,
                            inputs_.size(), output_ids_.size()));
  return run({std::move(input)}).at(0);
}

Tensors OnnxModel::run(const Tensors& inputs) {
  if (inputs.size() != inputs_.size())
    throw Error(fmt::format("{}: {} inputs given, the graph takes {}", source_, inputs.size(), inputs_.size()));
  std::vector<torch::Tensor> values(value_names_.size());
  for (const auto& [id, tensor] : constants_) values[id] = tensor;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs_[i].type == torch::kFloat32 && !inputs_[i].shape.empty()) check_input(inputs[i], inputs_[i]);
    values[input_ids_[i]] = inputs[i];
  }
  for (const Step& step : steps_) {
    try {
      if (step.slot) {
        values[step.outputs[0]] = (*step.slot)(values[step.inputs[0]]);
      } else {
        Tensors arguments;
        arguments.reserve(step.inputs.size());
        for (int id : step.inputs) arguments.push_back(id < 0 ? torch::Tensor() : values[id]);
        Tensors results = step.kernel(arguments);
        for (size_t j = 0; j < step.outputs.size() && j < results.size(); ++j)
          if (step.outputs[j] >= 0) values[step.outputs[j]] = std::move(results[j]);
      }
    } catch (const c10::Error& e) {
      throw Error(fmt::format("{}: {} failed: {}", source_, step.where, e.what_without_backtrace()));
    }
    for (int id : step.released) values[id] = torch::Tensor();
  }
  Tensors outputs;
  for (int id : output_ids_) outputs.push_back(values[id]);
  return outputs;
}

std::shared_ptr<OnnxModel> import_model(const std::string& path, const ImportOptions& options) {
  return std::make_shared<OnnxModel>(read_model(path), path, options);
}

}  // namespace gos::onnx_io
