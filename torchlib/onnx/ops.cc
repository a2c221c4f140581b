#include "torchlib/onnx/ops.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>

#include "framework/error.h"
#include "framework/text.h"

namespace gos::onnx_io {
namespace {

using Ints = std::vector<int64_t>;

Ints ints_of(const torch::Tensor& tensor) {
  const torch::Tensor values = tensor.to(torch::kCPU, torch::kInt64).contiguous().reshape({-1});
  return Ints(values.data_ptr<int64_t>(), values.data_ptr<int64_t>() + values.numel());
}

int64_t axis_in(int64_t axis, int64_t rank, const std::string& where) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    throw Error(fmt::format("{}: axis {} is out of range for rank {}", where, axis, rank));
  return axis < 0 ? axis + rank : axis;
}

// Spatial padding as constant_pad_nd wants it: last dimension first, (begin, end) pairs.
Ints torch_pad_order(const Ints& begin, const Ints& end) {
  Ints pads;
  for (size_t i = begin.size(); i-- > 0;) {
    pads.push_back(begin[i]);
    pads.push_back(end[i]);
  }
  return pads;
}

enum class AutoPad { kNotSet, kSameUpper, kSameLower, kValid };

// Kernel window geometry shared by Conv, MaxPool and AveragePool.
struct Window {
  std::string where;
  AutoPad auto_pad = AutoPad::kNotSet;
  Ints kernel, strides, dilations, pads;  // pads: begins then ends, as in ONNX; empty = zeros
  bool ceil_mode = false;

  Window(const Attributes& a, bool has_dilations) : where(a.where()) {
    const std::string mode = a.get_string("auto_pad", "NOTSET");
    if (mode == "NOTSET")
      auto_pad = AutoPad::kNotSet;
    else if (mode == "SAME_UPPER")
      auto_pad = AutoPad::kSameUpper;
    else if (mode == "SAME_LOWER")
      auto_pad = AutoPad::kSameLower;
    else if (mode == "VALID")
      auto_pad = AutoPad::kValid;
    else
      throw Error(fmt::format("{}: auto_pad '{}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID", where, mode));
    kernel = a.get_ints("kernel_shape");
    strides = a.get_ints("strides");
    dilations = has_dilations ? a.get_ints("dilations") : Ints{};
    pads = a.get_ints("pads");
    ceil_mode = a.get_int("ceil_mode", 0) != 0;
  }
  // Fills defaults for `spatial` dimensions; returns (begin, end) padding for `input`.
  std::pair<Ints, Ints> resolve(const torch::Tensor& input, const Ints& kernel_sizes) const {
    const size_t spatial = kernel_sizes.size();
    const Ints s = strides.empty() ? Ints(spatial, 1) : strides;
    const Ints d = dilations.empty() ? Ints(spatial, 1) : dilations;
    if (s.size() != spatial || d.size() != spatial)
      throw Error(fmt::format("{}: strides/dilations have {} values for {} spatial dimensions", where,
                              std::max(s.size(), d.size()), spatial));
    Ints begin(spatial, 0), end(spatial, 0);
    if (auto_pad == AutoPad::kSameUpper || auto_pad == AutoPad::kSameLower) {
      for (size_t i = 0; i < spatial; ++i) {
        const int64_t in = input.size(int64_t(i) + 2);
        const int64_t out = (in + s[i] - 1) / s[i];
        const int64_t total = std::max<int64_t>(0, (out - 1) * s[i] + (kernel_sizes[i] - 1) * d[i] + 1 - in);
        const int64_t small = total / 2;
        begin[i] = auto_pad == AutoPad::kSameUpper ? small : total - small;
        end[i] = total - begin[i];
      }
    } else if (auto_pad == AutoPad::kNotSet && !pads.empty()) {
      if (pads.size() != 2 * spatial)
        throw Error(fmt::format("{}: pads has {} values for {} spatial dimensions", where, pads.size(), spatial));
      for (size_t i = 0; i < spatial; ++i) {
        begin[i] = pads[i];
        end[i] = pads[i + spatial];
      }
    }
    return {begin, end};
  }
  Ints stride_values(size_t spatial) const { return strides.empty() ? Ints(spatial, 1) : strides; }
  Ints dilation_values(size_t spatial) const { return dilations.empty() ? Ints(spatial, 1) : dilations; }
};

Kernel conv(const Attributes& a) {
  const Window window(a, true);
  const int64_t groups = a.get_int("group", 1);
  return [window, groups](const Tensors& in) {
    const torch::Tensor& x = in.at(0);
    const torch::Tensor& w = in.at(1);
    const torch::Tensor bias = in.size() > 2 ? in[2] : torch::Tensor();
    Ints kernel(w.sizes().begin() + 2, w.sizes().end());
    const size_t spatial = kernel.size();
    auto [begin, end] = window.resolve(x, kernel);
    const Ints zeros(spatial, 0);
    if (begin == end)
      return Tensors{torch::convolution(x, w, bias, window.stride_values(spatial), begin,
                                        window.dilation_values(spatial), false, zeros, groups)};
    const torch::Tensor padded = torch::constant_pad_nd(x, torch_pad_order(begin, end));
    return Tensors{torch::convolution(padded, w, bias, window.stride_values(spatial), zeros,
                                      window.dilation_values(spatial), false, zeros, groups)};
  };
}

Kernel max_pool(const Attributes& a, size_t outputs) {
  if (outputs > 1)
    throw Error(fmt::format("{}: the Indices output of MaxPool is not supported (only the pooled values)", a.where()));
  if (a.get_int("storage_order", 0) != 0)
    throw Error(fmt::format("{}: MaxPool storage_order 1 (column major) is not supported", a.where()));
  const Window window(a, true);
  return [window](const Tensors& in) {
    torch::Tensor x = in.at(0);
    // LibTorch pools floating types only; 8-bit integers are exact in float.
    const c10::ScalarType type = x.scalar_type();
    if (!c10::isFloatingType(type)) x = x.to(torch::kFloat32);
    const size_t spatial = window.kernel.size();
    auto [begin, end] = window.resolve(x, window.kernel);
    const Ints stride = window.stride_values(spatial), dilation = window.dilation_values(spatial);
    bool native = begin == end;
    for (size_t i = 0; i < spatial; ++i) native = native && begin[i] <= ((window.kernel[i] - 1) * dilation[i] + 1) / 2;
    Ints padding = begin;
    if (!native) {
      x = torch::constant_pad_nd(x, torch_pad_order(begin, end), -std::numeric_limits<double>::infinity());
      padding.assign(spatial, 0);
    }
    torch::Tensor y;
    switch (spatial) {
      case 1:
        y = torch::max_pool1d(x, window.kernel, stride, padding, dilation, window.ceil_mode);
        break;
      case 2:
        y = torch::max_pool2d(x, window.kernel, stride, padding, dilation, window.ceil_mode);
        break;
      case 3:
        y = torch::max_pool3d(x, window.kernel, stride, padding, dilation, window.ceil_mode);
        break;
      default:
        throw Error(fmt::format("{}: {} spatial dimensions; MaxPool supports 1 to 3", window.where, spatial));
    }
    return Tensors{y.scalar_type() == type ? y : y.to(type)};
  };
}

torch::Tensor avg_pool(const torch::Tensor& x, const Ints& kernel, const Ints& stride, const Ints& padding,
                       bool ceil_mode, bool count_include_pad, const std::string& where) {
  switch (kernel.size()) {
    case 1:
      return torch::avg_pool1d(x, kernel, stride, padding, ceil_mode, count_include_pad);
    case 2:
      return torch::avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad);
    case 3:
      return torch::avg_pool3d(x, kernel, stride, padding, ceil_mode, count_include_pad);
    default:
      throw Error(fmt::format("{}: {} spatial dimensions; AveragePool supports 1 to 3", where, kernel.size()));
  }
}

Kernel average_pool(const Attributes& a) {
  const Window window(a, false);
  const bool count_include_pad = a.get_int("count_include_pad", 0) != 0;
  return [window, count_include_pad](const Tensors& in) {
    const torch::Tensor& x = in.at(0);
    const size_t spatial = window.kernel.size();
    auto [begin, end] = window.resolve(x, window.kernel);
    const Ints stride = window.stride_values(spatial);
    bool native = begin == end;
    for (size_t i = 0; i < spatial; ++i) native = native && begin[i] <= window.kernel[i] / 2;
    if (native)
      return Tensors{avg_pool(x, window.kernel, stride, begin, window.ceil_mode, count_include_pad, window.where)};
    // Asymmetric padding: pad explicitly; without count_include_pad, divide by
    // the number of real (unpadded) elements in each window.
    const Ints zeros(spatial, 0);
    const Ints pads = torch_pad_order(begin, end);
    const torch::Tensor sum =
        avg_pool(torch::constant_pad_nd(x, pads), window.kernel, stride, zeros, window.ceil_mode, true, window.where);
    if (count_include_pad) return Tensors{sum};
    Ints mask_shape(x.dim(), 1);
    for (int64_t i = 2; i < x.dim(); ++i) mask_shape[i] = x.size(i);
    const torch::Tensor mask = torch::constant_pad_nd(torch::ones(mask_shape, x.options()), pads);
    const torch::Tensor count = avg_pool(mask, window.kernel, stride, zeros, window.ceil_mode, true, window.where);
    return Tensors{sum / count};
  };
}

Kernel batch_normalization(const Attributes& a, size_t outputs) {
  if (outputs > 1 || a.get_int("training_mode", 0) != 0)
    throw Error(
        fmt::format("{}: BatchNormalization in training_mode with running-statistics outputs is not "
                    "supported (import the inference graph; GOS trains its batch norms itself)",
                    a.where()));
  const double epsilon = a.get_float("epsilon", 1e-5f);
  return [epsilon](const Tensors& in) {
    return Tensors{torch::batch_norm(in.at(0), in.at(1), in.at(2), in.at(3), in.at(4), false, 0.0, epsilon, true)};
  };
}

template <typename F>
Kernel unary(F f) {
  return [f](const Tensors& in) { return Tensors{f(in.at(0))}; };
}

template <typename F>
Kernel binary(F f) {
  return [f](const Tensors& in) { return Tensors{f(in.at(0), in.at(1))}; };
}

c10::optional<c10::Scalar> scalar_input(const Tensors& in, size_t index) {
  if (index >= in.size() || !in[index].defined()) return c10::nullopt;
  return in[index].item();
}

Kernel clip(const Attributes& a, int64_t opset) {
  if (opset < 11) {
    const float low = a.get_float("min", std::numeric_limits<float>::lowest());
    const float high = a.get_float("max", std::numeric_limits<float>::max());
    return unary([low, high](const torch::Tensor& x) { return torch::clamp(x, low, high); });
  }
  return [](const Tensors& in) {
    const auto low = scalar_input(in, 1), high = scalar_input(in, 2);
    if (!low && !high) return Tensors{in.at(0)};
    return Tensors{torch::clamp(in.at(0), low, high)};
  };
}

Kernel gemm(const Attributes& a) {
  const double alpha = a.get_float("alpha", 1.0f), beta = a.get_float("beta", 1.0f);
  const bool trans_a = a.get_int("transA", 0) != 0, trans_b = a.get_int("transB", 0) != 0;
  return [=](const Tensors& in) {
    const torch::Tensor A = trans_a ? in.at(0).t() : in.at(0);
    const torch::Tensor B = trans_b ? in.at(1).t() : in.at(1);
    const bool has_c = in.size() > 2 && in[2].defined();
    if (has_c && alpha == 1.0 && beta == 1.0) return Tensors{torch::addmm(in[2], A, B)};
    torch::Tensor y = torch::mm(A, B);
    if (alpha != 1.0) y = y * alpha;
    if (has_c) y = y + (beta == 1.0 ? in[2] : in[2] * beta);
    return Tensors{y};
  };
}

Kernel flatten(const Attributes& a) {
  const int64_t axis = a.get_int("axis", 1);
  const std::string where = a.where();
  return [axis, where](const Tensors& in) {
    const torch::Tensor& x = in.at(0);
    const int64_t split = axis < 0 ? axis + x.dim() : axis;
    if (split < 0 || split > x.dim())
      throw Error(fmt::format("{}: axis {} out of range for rank {}", where, axis, x.dim()));
    // flatten by dimension indices, not by sizes read here: a trace (adapted.pt)
    // records sizes as constants, and the batch must stay free.
    if (split == 0) return Tensors{x.reshape({1, -1})};
    const torch::Tensor inner = split == x.dim() ? x.unsqueeze(-1) : x.flatten(split);
    return Tensors{inner.flatten(0, split - 1)};
  };
}

Kernel reshape(const Attributes& a) {
  const bool allow_zero = a.get_int("allowzero", 0) != 0;
  return [allow_zero](const Tensors& in) {
    Ints shape = ints_of(in.at(1));
    if (!allow_zero)
      for (size_t i = 0; i < shape.size(); ++i)
        if (shape[i] == 0) shape[i] = in[0].size(int64_t(i));
    return Tensors{in[0].reshape(shape)};
  };
}

Kernel transpose(const Attributes& a) {
  const Ints perm = a.get_ints("perm");
  return [perm](const Tensors& in) {
    Ints order = perm;
    if (order.empty())
      for (int64_t i = in.at(0).dim(); i-- > 0;) order.push_back(i);
    return Tensors{in.at(0).permute(order)};
  };
}

Kernel concat(const Attributes& a) {
  const int64_t axis = a.get_int("axis", 0);
  const std::string where = a.where();
  return [axis, where](const Tensors& in) { return Tensors{torch::cat(in, axis_in(axis, in.at(0).dim(), where))}; };
}

// Slice with ONNX's clamping rules; negative steps go through index_select.
torch::Tensor slice_axis(const torch::Tensor& x, int64_t axis, int64_t start, int64_t end, int64_t step) {
  const int64_t size = x.size(axis);
  if (start < 0) start += size;
  if (end < 0) end += size;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, size);
    end = std::clamp<int64_t>(end, 0, size);
    if (end <= start) return x.narrow(axis, 0, 0);
    return x.slice(axis, start, end, step);
  }
  start = std::clamp<int64_t>(start, 0, size - 1);
  end = std::clamp<int64_t>(end, -1, size - 1);
  if (start <= end) return x.narrow(axis, 0, 0);
  const torch::Tensor index = torch::arange(start, end, step, torch::TensorOptions().dtype(torch::kInt64));
  return x.index_select(axis, index);
}

Kernel slice(const Attributes& a, int64_t opset) {
  const std::string where = a.where();
  if (opset < 10) {
    const Ints starts = a.get_ints("starts"), ends = a.get_ints("ends"), axes = a.get_ints("axes");
    return [=](const Tensors& in) {
      torch::Tensor x = in.at(0);
      for (size_t i = 0; i < starts.size(); ++i)
        x = slice_axis(x, axis_in(axes.empty() ? int64_t(i) : axes[i], x.dim(), where), starts[i], ends.at(i), 1);
      return Tensors{x};
    };
  }
  return [where](const Tensors& in) {
    torch::Tensor x = in.at(0);
    const Ints starts = ints_of(in.at(1)), ends = ints_of(in.at(2));
    const Ints axes = in.size() > 3 && in[3].defined() ? ints_of(in[3]) : Ints{};
    const Ints steps = in.size() > 4 && in[4].defined() ? ints_of(in[4]) : Ints{};
    for (size_t i = 0; i < starts.size(); ++i) {
      const int64_t step = steps.empty() ? 1 : steps[i];
      if (step == 0) throw Error(fmt::format("{}: slice step 0", where));
      x = slice_axis(x, axis_in(axes.empty() ? int64_t(i) : axes[i], x.dim(), where), starts[i], ends.at(i), step);
    }
    return Tensors{x};
  };
}

Kernel gather(const Attributes& a) {
  const int64_t axis_attribute = a.get_int("axis", 0);
  const std::string where = a.where();
  return [axis_attribute, where](const Tensors& in) {
    const torch::Tensor& data = in.at(0);
    const int64_t axis = axis_in(axis_attribute, data.dim(), where);
    torch::Tensor index = in.at(1).to(torch::kInt64);
    index = torch::where(index < 0, index + data.size(axis), index);
    Ints shape(data.sizes().begin(), data.sizes().begin() + axis);
    for (int64_t size : index.sizes()) shape.push_back(size);
    shape.insert(shape.end(), data.sizes().begin() + axis + 1, data.sizes().end());
    return Tensors{data.index_select(axis, index.reshape({-1})).reshape(shape)};
  };
}

Kernel shape(const Attributes& a) {
  const int64_t start_attribute = a.get_int("start", 0);
  const bool has_end = a.has("end");
  const int64_t end_attribute = a.get_int("end", 0);
  return [=](const Tensors& in) {
    const int64_t rank = in.at(0).dim();
    const auto clamp = [rank](int64_t i) { return std::clamp<int64_t>(i < 0 ? i + rank : i, 0, rank); };
    const int64_t start = clamp(start_attribute), end = has_end ? clamp(end_attribute) : rank;
    Ints sizes;
    for (int64_t i = start; i < end; ++i) sizes.push_back(in[0].size(i));
    return Tensors{torch::tensor(sizes, torch::TensorOptions().dtype(torch::kInt64))};
  };
}

Kernel constant(const Attributes& a) {
  torch::Tensor value;
  if (const onnx::TensorProto* tensor = a.get_tensor("value")) {
    value = to_torch(*tensor, a.where() + " value");
  } else if (a.has("value_float")) {
    value = torch::tensor(a.get_float("value_float", 0));
  } else if (a.has("value_floats")) {
    value = torch::tensor(a.get_floats("value_floats"));
  } else if (a.has("value_int")) {
    value = torch::tensor(a.get_int("value_int", 0), torch::TensorOptions().dtype(torch::kInt64));
  } else if (a.has("value_ints")) {
    value = torch::tensor(a.get_ints("value_ints"), torch::TensorOptions().dtype(torch::kInt64));
  } else {
    throw Error(
        fmt::format("{}: only tensor, float(s) and int(s) constants are supported (not sparse or string)", a.where()));
  }
  return [value](const Tensors&) { return Tensors{value}; };
}

Kernel pad(const Attributes& a, int64_t opset) {
  const std::string mode = a.get_string("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    throw Error(fmt::format("{}: pad mode '{}' is not one of constant, reflect, edge", a.where(), mode));
  const Ints attribute_pads = a.get_ints("pads");
  const float attribute_value = a.get_float("value", 0);
  const std::string where = a.where();
  return [=](const Tensors& in) {
    const torch::Tensor& x = in.at(0);
    const Ints pads = opset < 11 ? attribute_pads : ints_of(in.at(1));
    const int64_t rank = x.dim();
    if (int64_t(pads.size()) != 2 * rank) throw Error(fmt::format("{}: {} pads for rank {}", where, pads.size(), rank));
    Ints begin(pads.begin(), pads.begin() + rank), end(pads.begin() + rank, pads.end());
    if (mode == "constant") {
      const c10::Scalar value =
          opset < 11 ? c10::Scalar(attribute_value) : scalar_input(in, 2).value_or(c10::Scalar(0));
      return Tensors{torch::constant_pad_nd(x, torch_pad_order(begin, end), value)};
    }
    // Reflect and edge pad only trailing dimensions in LibTorch.
    int64_t first = 0;
    while (first < rank && begin[first] == 0 && end[first] == 0) ++first;
    if (rank - first > 3 || first < std::min<int64_t>(2, rank - 1))
      throw Error(fmt::format("{}: {} padding of non-spatial dimensions is not supported", where, mode));
    const Ints tail_begin(begin.begin() + first, begin.end()), tail_end(end.begin() + first, end.end());
    namespace F = torch::nn::functional;
    auto options = F::PadFuncOptions(torch_pad_order(tail_begin, tail_end));
    if (mode == "reflect")
      options.mode(torch::kReflect);
    else
      options.mode(torch::kReplicate);
    // LibTorch implements these paddings for floating types only; integer
    // values survive the round trip through double exactly.
    if (!c10::isFloatingType(x.scalar_type()))
      return Tensors{F::pad(x.to(torch::kFloat64), options).to(x.scalar_type())};
    return Tensors{F::pad(x, options)};
  };
}

Kernel reduce_mean(const Attributes& a) {
  const Ints axes = a.get_ints("axes");
  const bool keep = a.get_int("keepdims", 1) != 0;
  return [axes, keep](const Tensors& in) {
    const torch::Tensor& x = in.at(0);
    if (axes.empty()) {
      Ints all;
      for (int64_t i = 0; i < x.dim(); ++i) all.push_back(i);
      return Tensors{x.mean(all, keep)};
    }
    return Tensors{x.mean(axes, keep)};
  };
}

Kernel softmax(const Attributes& a, int64_t opset) {
  const int64_t axis_attribute = a.get_int("axis", opset < 13 ? 1 : -1);
  const std::string where = a.where();
  return [=](const Tensors& in) {
    const torch::Tensor& x = in.at(0);
    const int64_t axis = axis_in(axis_attribute, x.dim(), where);
    if (opset >= 13) return Tensors{torch::softmax(x, axis)};
    // Before opset 13: softmax over the flattened trailing dimensions.
    int64_t outer = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= x.size(i);
    return Tensors{torch::softmax(x.reshape({outer, -1}), 1).reshape(x.sizes())};
  };
}

Kernel unsqueeze(const Attributes& a, int64_t opset) {
  const Ints attribute_axes = a.get_ints("axes");
  const std::string where = a.where();
  return [=](const Tensors& in) {
    Ints axes = opset < 13 ? attribute_axes : ints_of(in.at(1));
    torch::Tensor x = in.at(0);
    const int64_t rank = x.dim() + int64_t(axes.size());
    for (int64_t& axis : axes) axis = axis_in(axis, rank, where);
    std::sort(axes.begin(), axes.end());
    for (int64_t axis : axes) x = x.unsqueeze(axis);
    return Tensors{x};
  };
}

Kernel squeeze(const Attributes& a, int64_t opset) {
  const Ints attribute_axes = a.get_ints("axes");
  const std::string where = a.where();
  return [=](const Tensors& in) {
    const torch::Tensor& x = in.at(0);
    Ints axes = opset < 13 ? attribute_axes : (in.size() > 1 && in[1].defined() ? ints_of(in[1]) : Ints{});
    if (axes.empty())
      for (int64_t i = 0; i < x.dim(); ++i)
        if (x.size(i) == 1) axes.push_back(i);
    Ints shape;
    for (int64_t& axis : axes) axis = axis_in(axis, x.dim(), where);
    for (int64_t i = 0; i < x.dim(); ++i)
      if (std::find(axes.begin(), axes.end(), i) == axes.end()) shape.push_back(x.size(i));
    return Tensors{x.reshape(shape)};
  };
}

Kernel cast(const Attributes& a) {
  const c10::ScalarType type = scalar_type(int32_t(a.get_int("to", 0)), a.where() + " target type");
  return unary([type](const torch::Tensor& x) { return x.to(type); });
}

// DCR: depth is split as (block, block, channels); CRD: as (channels, block, block).
Kernel depth_to_space(const Attributes& a) {
  const int64_t block = a.get_int("blocksize", 0);
  const bool crd = a.get_string("mode", "DCR") == "CRD";
  return [block, crd](const Tensors& in) {
    const torch::Tensor& x = in.at(0);
    const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), out = c / (block * block);
    if (crd) return Tensors{torch::pixel_shuffle(x, block)};
    return Tensors{
        x.reshape({n, block, block, out, h, w}).permute({0, 3, 4, 1, 5, 2}).reshape({n, out, h * block, w * block})};
  };
}

Kernel expand() {
  return [](const Tensors& in) {
    const Ints shape = ints_of(in.at(1));
    return Tensors{in[0].expand(at::infer_size(in[0].sizes(), shape))};
  };
}

// Inference semantics: the input passes through (GOS does not train with
// dropout from imported graphs); the optional mask is all true.
Kernel dropout(size_t outputs) {
  return [outputs](const Tensors& in) {
    Tensors out{in.at(0)};
    if (outputs > 1) out.push_back(torch::ones_like(in[0], torch::TensorOptions().dtype(torch::kBool)));
    return out;
  };
}

torch::Tensor divide(const torch::Tensor& a, const torch::Tensor& b) {
  if (c10::isIntegralType(a.scalar_type(), true)) return torch::div(a, b, "trunc");
  return a / b;
}

torch::Tensor relu(const torch::Tensor& x) {
  return c10::isFloatingType(x.scalar_type()) ? observed_relu(x) : torch::clamp_min(x, 0);
}

using Lowering = std::function<Kernel(const onnx::NodeProto&, const Attributes&, int64_t opset)>;

const std::map<std::string, Lowering>& lowerings() {
  static const std::map<std::string, Lowering> table = {
      {"Conv", [](const auto&, const auto& a, int64_t) { return conv(a); }},
      {"BatchNormalization",
       [](const auto& n, const auto& a, int64_t) { return batch_normalization(a, n.output_size()); }},
      {"Relu", [](const auto&, const auto&, int64_t) { return unary(relu); }},
      {"Clip", [](const auto&, const auto& a, int64_t opset) { return clip(a, opset); }},
      {"HardSigmoid",
       [](const auto&, const auto& a, int64_t) {
         const float alpha = a.get_float("alpha", 0.2f), beta = a.get_float("beta", 0.5f);
         return unary([alpha, beta](const torch::Tensor& x) { return torch::clamp(x * alpha + beta, 0, 1); });
       }},
      {"HardSwish",
       [](const auto&, const auto&, int64_t) { return unary([](const auto& x) { return torch::hardswish(x); }); }},
      {"Sigmoid",
       [](const auto&, const auto&, int64_t) { return unary([](const auto& x) { return torch::sigmoid(x); }); }},
      {"Sqrt", [](const auto&, const auto&, int64_t) { return unary([](const auto& x) { return torch::sqrt(x); }); }},
      {"Erf", [](const auto&, const auto&, int64_t) { return unary([](const auto& x) { return torch::erf(x); }); }},
      // Half to even, as ONNX's Round; what a quantized GOS node exports to.
      {"Round", [](const auto&, const auto&, int64_t) { return unary([](const auto& x) { return torch::round(x); }); }},
      {"Identity", [](const auto&, const auto&, int64_t) { return unary([](const auto& x) { return x; }); }},
      {"Add",
       [](const auto&, const auto&, int64_t) { return binary([](const auto& a, const auto& b) { return a + b; }); }},
      {"Sub",
       [](const auto&, const auto&, int64_t) { return binary([](const auto& a, const auto& b) { return a - b; }); }},
      {"Mul",
       [](const auto&, const auto&, int64_t) { return binary([](const auto& a, const auto& b) { return a * b; }); }},
      {"Div", [](const auto&, const auto&, int64_t) { return binary(divide); }},
      {"Pow",
       [](const auto&, const auto&, int64_t) {
         return binary([](const auto& a, const auto& b) { return torch::pow(a, b).to(a.scalar_type()); });
       }},
      {"MatMul", [](const auto&, const auto&,
                    int64_t) { return binary([](const auto& a, const auto& b) { return torch::matmul(a, b); }); }},
      {"Gemm", [](const auto&, const auto& a, int64_t) { return gemm(a); }},
      {"Flatten", [](const auto&, const auto& a, int64_t) { return flatten(a); }},
      {"Reshape", [](const auto&, const auto& a, int64_t) { return reshape(a); }},
      {"Transpose", [](const auto&, const auto& a, int64_t) { return transpose(a); }},
      {"Concat", [](const auto&, const auto& a, int64_t) { return concat(a); }},
      {"Slice", [](const auto&, const auto& a, int64_t opset) { return slice(a, opset); }},
      {"Gather", [](const auto&, const auto& a, int64_t) { return gather(a); }},
      {"Shape", [](const auto&, const auto& a, int64_t) { return shape(a); }},
      {"Constant", [](const auto&, const auto& a, int64_t) { return constant(a); }},
      {"Pad", [](const auto&, const auto& a, int64_t opset) { return pad(a, opset); }},
      {"MaxPool", [](const auto& n, const auto& a, int64_t) { return max_pool(a, n.output_size()); }},
      {"AveragePool", [](const auto&, const auto& a, int64_t) { return average_pool(a); }},
      {"GlobalAveragePool",
       [](const auto&, const auto&, int64_t) {
         return unary([](const torch::Tensor& x) {
           Ints spatial;
           for (int64_t i = 2; i < x.dim(); ++i) spatial.push_back(i);
           return x.mean(spatial, true);
         });
       }},
      {"ReduceMean", [](const auto&, const auto& a, int64_t) { return reduce_mean(a); }},
      {"Softmax", [](const auto&, const auto& a, int64_t opset) { return softmax(a, opset); }},
      {"Unsqueeze", [](const auto&, const auto& a, int64_t opset) { return unsqueeze(a, opset); }},
      {"Squeeze", [](const auto&, const auto& a, int64_t opset) { return squeeze(a, opset); }},
      {"Cast", [](const auto&, const auto& a, int64_t) { return cast(a); }},
      {"Dropout", [](const auto& n, const auto&, int64_t) { return dropout(n.output_size()); }},
      {"DepthToSpace", [](const auto&, const auto& a, int64_t) { return depth_to_space(a); }},
      {"Expand", [](const auto&, const auto&, int64_t) { return expand(); }},
  };
  return table;
}

}  // namespace

std::vector<std::string> supported_operators() {
  std::vector<std::string> names;
  for (const auto& [name, lowering] : lowerings()) names.push_back(name);
  return names;
}

bool is_supported(const std::string& op_type) { return lowerings().count(op_type) > 0; }

Kernel lower_node(const onnx::NodeProto& node, int64_t opset) {
  const Attributes attributes(node);
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    throw Error(fmt::format("{}: operators of domain '{}' are not supported; GOS imports the default ONNX domain: {}",
                            attributes.where(), node.domain(), join(supported_operators(), ", ")));
  const auto found = lowerings().find(node.op_type());
  if (found == lowerings().end())
    throw Error(fmt::format("{}: operator '{}' is not supported{}; supported operators: {}", attributes.where(),
                            node.op_type(), did_you_mean(node.op_type(), supported_operators()),
                            join(supported_operators(), ", ")));
  return found->second(node, attributes, opset);
}

}  // namespace gos::onnx_io
