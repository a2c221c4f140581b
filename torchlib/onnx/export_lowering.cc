// The lowering of each traced LibTorch operation to ONNX nodes.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "torchlib/onnx/export_converter.h"

namespace gos::onnx_io::detail {

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
    if (node->inputs().size() > 6 && !is_none(node, 6)) throw Error("cannot export avg_pool with divisor_override");
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
  // A value computed from the input carries the batch; tensor lists (the
  // operands of aten::cat) carry it through their elements.
  bool batched = false;
  for (const Value* in : node->inputs()) {
    batched = batched || is_batched(in);
    if (in->node()->kind() == c10::prim::ListConstruct)
      for (const Value* element : in->node()->inputs()) batched = batched || is_batched(element);
  }
  lower_node(node, kind);
  for (const Value* out : node->outputs())
    if (batched && names_.count(out)) batched_.insert(out);
}

void Converter::lower_node(Node* node, const std::string& kind) {
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

  static const std::map<std::string, std::string> kUnary = {{"aten::relu", "Relu"},
                                                            {"aten::relu_", "Relu"},
                                                            {"aten::sigmoid", "Sigmoid"},
                                                            {"aten::sqrt", "Sqrt"},
                                                            {"aten::erf", "Erf"},
                                                            {"aten::tanh", "Tanh"},
                                                            {"aten::exp", "Exp"},
                                                            {"aten::neg", "Neg"},
                                                            {"aten::abs", "Abs"},
                                                            {"aten::round", "Round"},
                                                            {"aten::hardswish", "HardSwish"},
                                                            {"aten::hardswish_", "HardSwish"}};
  static const std::map<std::string, std::string> kBinary = {
      {"aten::add", "Add"}, {"aten::add_", "Add"},      {"aten::sub", "Sub"},
      {"aten::mul", "Mul"}, {"aten::mul_", "Mul"},      {"aten::div", "Div"},
      {"aten::pow", "Pow"}, {"aten::matmul", "MatMul"}, {"aten::mm", "MatMul"}};
  static const std::set<std::string> kAliases = {"aten::contiguous", "aten::clone", "aten::detach",
                                                 "aten::dropout",    "aten::alias", "aten::feature_dropout",
                                                 "aten::lift_fresh", "aten::lift"};
  static const std::set<std::string> kReshapes = {"aten::reshape",   "aten::view",      "aten::flatten",
                                                  "aten::squeeze",   "aten::unsqueeze", "aten::view_as",
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
    if (node->inputs().size() > 2 && real(node, 2) != 1.0)
      a = step("Mul", {a, scalar_initializer(real(node, 2), type)});
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
      if (is_none(node, 2))
        produce(node, "MatMul", {x, wt});
      else
        produce(node, "Add", {step("MatMul", {x, wt}), tensor(node->input(2))});
    }
  } else if (kind == "aten::t" || kind == "aten::numpy_T") {
    keep_batch_axis(node, node->input(0), true, "moves the batch dimension");
    attr(produce(node, "Transpose", {tensor(node->input(0))}), "perm", Ints{1, 0});
  } else if (kind == "aten::permute") {
    const Ints perm = ints(node, 1);
    keep_batch_axis(node, node->input(0), perm.empty() || perm[0] != 0, "moves the batch dimension");
    attr(produce(node, "Transpose", {tensor(node->input(0))}), "perm", perm);
  } else if (kind == "aten::transpose") {
    const int64_t rank = int64_t(shape(node->input(0)).size());
    int64_t a = integer(node, 1), b = integer(node, 2);
    a = a < 0 ? a + rank : a;
    b = b < 0 ? b + rank : b;
    keep_batch_axis(node, node->input(0), a != b && (a == 0 || b == 0), "moves the batch dimension");
    Ints perm;
    for (int64_t i = 0; i < rank; ++i) perm.push_back(i == a ? b : i == b ? a : i);
    attr(produce(node, "Transpose", {tensor(node->input(0))}), "perm", perm);
  } else if (kind == "aten::expand" || kind == "aten::expand_as") {
    produce(node, "Expand",
            {tensor(node->input(0)),
             ints_initializer(batch_target(node, shape(node->input(0)), shape(node->output(0)), 1))});
  } else if (kind == "aten::cat" || kind == "aten::concat") {
    const Node* list = node->input(0)->node();
    std::vector<std::string> inputs;
    for (const Value* in : list->inputs()) inputs.push_back(tensor(in));
    int64_t axis = integer(node, 1);
    if (axis < 0) axis += int64_t(shape(node->output(0)).size());
    for (const Value* in : list->inputs())
      keep_batch_axis(node, in, axis == 0, "concatenates along the batch dimension");
    attr(produce(node, "Concat", inputs), "axis", axis);
  } else if (kind == "aten::slice" || kind == "aten::narrow") {
    const int64_t rank = int64_t(shape(node->input(0)).size());
    int64_t dim = integer(node, 1);
    dim = dim < 0 ? dim + rank : dim;
    keep_batch_axis(node, node->input(0), dim == 0, "slices the batch dimension");
    int64_t start = 0, end = std::numeric_limits<int64_t>::max(), stride = 1;
    if (kind == "aten::narrow") {
      start = integer(node, 2);
      end = start + integer(node, 3);
    } else {
      if (!is_none(node, 2)) start = integer(node, 2);
      if (!is_none(node, 3)) end = integer(node, 3);
      stride = integer(node, 4);
    }
    produce(node, "Slice",
            {tensor(node->input(0)), ints_initializer({start}), ints_initializer({end}), ints_initializer({dim}),
             ints_initializer({stride})});
  } else if (kind == "aten::select" || kind == "aten::index_select") {
    const int64_t dim = integer(node, 1);
    keep_batch_axis(node, node->input(0), dim == 0 || dim == -int64_t(shape(node->input(0)).size()),
                    "indexes the batch dimension");
    if (kind == "aten::index_select") {
      attr(produce(node, "Gather", {tensor(node->input(0)), tensor(node->input(2))}), "axis", dim);
      return;
    }
    const std::string index = initializer(torch::tensor(integer(node, 2), torch::TensorOptions().dtype(torch::kInt64)));
    attr(produce(node, "Gather", {tensor(node->input(0)), index}), "axis", integer(node, 1));
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
    keep_batch_axis(
        node, node->input(0),
        std::any_of(axes.begin(), axes.end(), [&](int64_t a) { return a == 0 || a == -int64_t(in.size()); }),
        "averages over the batch dimension");
    auto& mean = produce(node, "ReduceMean", {tensor(node->input(0))});
    attr(mean, "axes", axes);
    attr(mean, "keepdims", int64_t(keep));
  } else if (kind == "aten::softmax") {
    const int64_t axis = integer(node, 1);
    keep_batch_axis(node, node->input(0), axis == 0 || axis == -int64_t(shape(node->input(0)).size()),
                    "normalises over the batch dimension");
    attr(produce(node, "Softmax", {tensor(node->input(0))}), "axis", axis);
  } else if (kind == "aten::pixel_shuffle") {
    auto& d2s = produce(node, "DepthToSpace", {tensor(node->input(0))});
    attr(d2s, "blocksize", integer(node, 1));
    attr(d2s, "mode", std::string("CRD"));
  } else if (kind == "aten::pixel_unshuffle") {
    const Ints in = shape(node->input(0));
    const int64_t r = integer(node, 1);
    const std::string split = step(
        "Reshape",
        {tensor(node->input(0)), ints_initializer(reshape_target(node, {in[0], in[1], in[2] / r, r, in[3] / r, r}))});
    auto& t = emit("Transpose", {split}, fresh());
    attr(t, "perm", Ints{0, 1, 3, 5, 2, 4});
    produce(node, "Reshape", {t.output(0), ints_initializer(reshape_target(node, shape(node->output(0))))});
  } else if (kind == "aten::repeat_interleave") {
    // x.repeat_interleave(r, dim) on static shapes: insert a size-1 axis after
    // dim, expand it to r, merge it back.
    if (!known(node->input(1)) || !constant(node->input(1), node).isInt())
      throw Error("cannot export repeat_interleave with a tensor of repeats");
    Ints in = shape(node->input(0));
    const int64_t r = integer(node, 1);
    int64_t dim = integer(node, 2);
    dim = dim < 0 ? dim + int64_t(in.size()) : dim;
    keep_batch_axis(node, node->input(0), dim == 0, "repeats along the batch dimension");
    Ints inserted = in;
    inserted.insert(inserted.begin() + dim + 1, 1);
    Ints expanded = inserted;
    expanded[size_t(dim) + 1] = r;
    const std::string a = step("Reshape", {tensor(node->input(0)), ints_initializer(reshape_target(node, inserted))});
    const std::string b = step("Expand", {a, ints_initializer(batch_target(node, inserted, expanded, 1))});
    produce(node, "Reshape", {b, ints_initializer(reshape_target(node, shape(node->output(0))))});
  } else if (kind == "aten::where") {
    produce(node, "Where", {tensor(node->input(0)), tensor(node->input(1)), tensor(node->input(2))});
  } else {
    throw Error(
        fmt::format("cannot export the LibTorch operation {} to ONNX: no lowering for it (the exporter lowers "
                    "convolutions, batch norm, activations, arithmetic, pooling, reshapes, slicing, padding, "
                    "concatenation, pixel (un)shuffle and GELU)",
                    kind));
  }
}

}  // namespace gos::onnx_io::detail
