#include "searchspaces/gos/instruction.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace gos::graph {

std::string Shape::to_string() const { return fmt::format("{}x{}x{}", c, h, w); }

bool AttrSpec::allows(int value) const {
  if (optional && value == 0) return true;
  if (is_channels()) return value >= 1 && value <= kMaxChannels;
  return std::find(legal.begin(), legal.end(), value) != legal.end();
}

std::string AttrSpec::describe() const {
  if (is_channels()) return fmt::format("a channel count in [1, {}]", kMaxChannels);
  if (optional && absent_value == 0) return fmt::format("one of {{{}}}, or absent", fmt::join(legal, ", "));
  if (optional)
    return fmt::format("one of {{{}}}, or {} (the value when absent)", fmt::join(legal, ", "), absent_value);
  return fmt::format("one of {{{}}}", fmt::join(legal, ", "));
}

namespace {

// FLOP convention (docs/GOS-GRAPHS.md): a multiply-accumulate is 2 FLOPs;
// batch norm (inference form, scale + shift) is 2 per element; add, multiply,
// scale, bias and every activation are 1 per element; pooling is one per window
// tap; pure data movement (concat, split, shuffle, shift, upsample, transpose,
// reshapes, identity) is 0.
int64_t no_params(std::span<const Shape>, const Shape&, const Attrs&) { return 0; }
int64_t no_flops(std::span<const Shape>, const Shape&, const Attrs&) { return 0; }
int64_t one_per_output(std::span<const Shape>, const Shape& out, const Attrs&) { return out.elements(); }
ShapeResult same_shape(std::span<const Shape> in, const Attrs&) { return {in[0]}; }

ShapeResult equal_inputs(std::span<const Shape> in, const Attrs&) {
  if (in[0] != in[1]) return {{}, "its two inputs have different shapes"};
  return {in[0]};
}

// Same padding makes every kernel fit any input of at least one pixel.
ShapeResult spatial(const Shape& in, int stride, int channels) {
  return {{channels, strided(in.h, stride), strided(in.w, stride)}};
}

// conv attributes: k, co, g, d, s.
ShapeResult conv_shape(std::span<const Shape> in, const Attrs& a) {
  if (in[0].c % a[2] != 0) return {{}, "its groups do not divide the input channels"};
  if (a[1] % a[2] != 0) return {{}, "its groups do not divide the output channels"};
  return spatial(in[0], a[4], a[1]);
}

// `b`, the optional last attribute of every weighted instruction.
AttrSpec bits_spec() {
  return {kBitsAttr,
          {1, 2, 3, 4, 5, 6, 7, 8, 16},
          "bit width of the weights and the input (LSQ fake quantization); 32 or absent: full precision",
          true,
          kFullPrecisionBits};
}

const std::vector<InstructionDef>& table() {
  static const std::vector<InstructionDef> defs = {
      {Op::kInput, "input", 0, false, {}, "the operator's input", nullptr, no_params, no_flops},
      {Op::kConv,
       "conv",
       1,
       false,
       {{"k", {1, 3, 5, 7}, "kernel size"},
        {"co", {}, "output channels"},
        {"g", {1, 2, 4, 8}, "groups"},
        {"d", {1, 2, 3}, "dilation"},
        {"s", {1, 2}, "stride"},
        bits_spec(),
        {kKernelWidthAttr, {1, 3, 5, 7}, "kernel width when it differs from k (k is then the height)", true, 0}},
       "k x k (or k x kw) convolution with groups, dilation and stride, same padding (a bias is a following bias "
       "node)",
       conv_shape,
       [](std::span<const Shape> in, const Shape&, const Attrs& a) {
         return int64_t{a[1]} * (in[0].c / a[2]) * a[0] * conv_kernel_width(a);
       },
       [](std::span<const Shape> in, const Shape& out, const Attrs& a) {
         return 2 * out.elements() * (in[0].c / a[2]) * a[0] * conv_kernel_width(a);
       }},
      {Op::kPointwiseConv,
       "pconv",
       1,
       false,
       {{"co", {}, "output channels"}, bits_spec()},
       "pointwise (1x1) convolution: a linear map over channels at every pixel (a bias is a following bias node)",
       [](std::span<const Shape> in, const Attrs& a) {
         return ShapeResult{{a[0], in[0].h, in[0].w}};
       },
       [](std::span<const Shape> in, const Shape&, const Attrs& a) { return int64_t{a[0]} * in[0].c; },
       [](std::span<const Shape> in, const Shape& out, const Attrs&) { return 2 * out.elements() * in[0].c; }},
      {Op::kDepthwiseConv,
       "dwconv",
       1,
       false,
       {{"k", {3, 5, 7}, "kernel size"}, {"d", {1, 2, 3}, "dilation"}, {"s", {1, 2}, "stride"}, bits_spec()},
       "depthwise k x k convolution (one filter per channel), same padding (a bias is a following bias node)",
       [](std::span<const Shape> in, const Attrs& a) { return spatial(in[0], a[2], in[0].c); },
       [](std::span<const Shape> in, const Shape&, const Attrs& a) { return int64_t{in[0].c} * a[0] * a[0]; },
       [](std::span<const Shape>, const Shape& out, const Attrs& a) { return 2 * out.elements() * a[0] * a[0]; }},
      {Op::kAdd, "add", 2, true, {}, "element-wise sum of two equal shapes", equal_inputs, no_params, one_per_output},
      {Op::kMul,
       "mul",
       2,
       true,
       {},
       "element-wise product of two equal shapes",
       equal_inputs,
       no_params,
       one_per_output},
      {Op::kConcat,
       "concat",
       2,
       false,
       {},
       "channel concatenation of two inputs of equal height and width",
       [](std::span<const Shape> in, const Attrs&) {
         if (in[0].h != in[1].h || in[0].w != in[1].w) return ShapeResult{{}, "its inputs differ in height or width"};
         if (in[0].c + in[1].c > kMaxChannels) return ShapeResult{{}, "the result has too many channels"};
         return ShapeResult{{in[0].c + in[1].c, in[0].h, in[0].w}};
       },
       no_params,
       no_flops},
      {Op::kSplit,
       "split",
       1,
       false,
       {{"part", {0, 1}, "which half of the channels to keep"}},
       "keeps the first or second half of the channels",
       [](std::span<const Shape> in, const Attrs&) {
         if (in[0].c % 2 != 0) return ShapeResult{{}, "its input has an odd number of channels"};
         return ShapeResult{{in[0].c / 2, in[0].h, in[0].w}};
       },
       no_params,
       no_flops},
      {Op::kShuffle,
       "shuffle",
       1,
       false,
       {{"g", {2, 4}, "groups"}},
       "channel shuffle (ShuffleNet)",
       [](std::span<const Shape> in, const Attrs& a) {
         if (in[0].c % a[0] != 0) return ShapeResult{{}, "its groups do not divide the input channels"};
         return ShapeResult{in[0]};
       },
       no_params,
       no_flops},
      {Op::kShift,
       "shift",
       1,
       false,
       {{"dir", {0, 1, 2, 3}, "0 up, 1 down, 2 left, 3 right"}},
       "spatial shift by one pixel with zero fill",
       same_shape,
       no_params,
       no_flops},
      {Op::kAvgPool,
       "avgpool",
       1,
       false,
       {{"s", {1, 2}, "stride"}},
       "3x3 average pooling, padding 1",
       [](std::span<const Shape> in, const Attrs& a) { return spatial(in[0], a[0], in[0].c); },
       no_params,
       [](std::span<const Shape>, const Shape& out, const Attrs&) { return 9 * out.elements(); }},
      {Op::kMaxPool,
       "maxpool",
       1,
       false,
       {{"s", {1, 2}, "stride"}},
       "3x3 max pooling, padding 1",
       [](std::span<const Shape> in, const Attrs& a) { return spatial(in[0], a[0], in[0].c); },
       no_params,
       [](std::span<const Shape>, const Shape& out, const Attrs&) { return 9 * out.elements(); }},
      {Op::kUpsample,
       "upsample",
       1,
       false,
       {},
       "nearest-neighbour upsampling by 2",
       [](std::span<const Shape> in, const Attrs&) {
         if (2 * in[0].h > kMaxSpatial || 2 * in[0].w > kMaxSpatial) return ShapeResult{{}, "the result is too large"};
         return ShapeResult{{in[0].c, 2 * in[0].h, 2 * in[0].w}};
       },
       no_params,
       no_flops},
      {Op::kTranspose,
       "transpose",
       1,
       false,
       {},
       "swaps height and width",
       [](std::span<const Shape> in, const Attrs&) {
         return ShapeResult{{in[0].c, in[0].w, in[0].h}};
       },
       no_params,
       no_flops},
      {Op::kSpaceToDepth,
       "space_to_depth",
       1,
       false,
       {},
       "reshape C x H x W to 4C x H/2 x W/2 (pixel unshuffle)",
       [](std::span<const Shape> in, const Attrs&) {
         if (in[0].h % 2 != 0 || in[0].w % 2 != 0) return ShapeResult{{}, "its input height or width is odd"};
         if (4 * in[0].c > kMaxChannels) return ShapeResult{{}, "the result has too many channels"};
         return ShapeResult{{4 * in[0].c, in[0].h / 2, in[0].w / 2}};
       },
       no_params,
       no_flops},
      {Op::kDepthToSpace,
       "depth_to_space",
       1,
       false,
       {},
       "reshape C x H x W to C/4 x 2H x 2W (pixel shuffle)",
       [](std::span<const Shape> in, const Attrs&) {
         if (in[0].c % 4 != 0) return ShapeResult{{}, "its input channels are not a multiple of 4"};
         if (2 * in[0].h > kMaxSpatial || 2 * in[0].w > kMaxSpatial) return ShapeResult{{}, "the result is too large"};
         return ShapeResult{{in[0].c / 4, 2 * in[0].h, 2 * in[0].w}};
       },
       no_params,
       no_flops},
      {Op::kScale,
       "scale",
       1,
       false,
       {},
       "multiplication by one trainable scalar",
       same_shape,
       [](std::span<const Shape>, const Shape&, const Attrs&) { return int64_t{1}; },
       one_per_output},
      {Op::kBatchNorm,
       "bn",
       1,
       false,
       {},
       "batch normalisation with affine scale and shift",
       same_shape,
       [](std::span<const Shape> in, const Shape&, const Attrs&) { return int64_t{2} * in[0].c; },
       [](std::span<const Shape>, const Shape& out, const Attrs&) { return 2 * out.elements(); }},
      {Op::kRelu, "relu", 1, false, {}, "max(x, 0)", same_shape, no_params, one_per_output},
      {Op::kRelu6, "relu6", 1, false, {}, "min(max(x, 0), 6)", same_shape, no_params, one_per_output},
      {Op::kHardSwish, "hswish", 1, false, {}, "x * relu6(x + 3) / 6", same_shape, no_params, one_per_output},
      {Op::kSigmoid, "sigmoid", 1, false, {}, "1 / (1 + exp(-x))", same_shape, no_params, one_per_output},
      {Op::kGelu, "gelu", 1, false, {}, "x * Phi(x) (exact erf form)", same_shape, no_params, one_per_output},
      {Op::kIdentity, "identity", 1, false, {}, "passes its input through", same_shape, no_params, no_flops},
      {Op::kBias,
       "bias",
       1,
       false,
       {},
       "adds one trainable value per channel (the bias of a convolution it follows)",
       same_shape,
       [](std::span<const Shape> in, const Shape&, const Attrs&) { return int64_t{in[0].c}; },
       one_per_output},
  };
  return defs;
}

}  // namespace

std::span<const InstructionDef> instruction_table() { return table(); }

const InstructionDef& instruction(Op op) { return table()[static_cast<size_t>(op)]; }

const InstructionDef* find_instruction(std::string_view name) {
  for (const InstructionDef& def : table())
    if (def.op != Op::kInput && name == def.name) return &def;
  return nullptr;
}

std::vector<std::string> instruction_names() {
  std::vector<std::string> names;
  for (const InstructionDef& def : table())
    if (def.op != Op::kInput) names.emplace_back(def.name);
  return names;
}

}  // namespace gos::graph

namespace gos::graph {

int bits_attr(Op op) {
  // Computed once: the table is fixed, and this runs per node on the hot path.
  static const std::array<int, kOpCount> index = [] {
    std::array<int, kOpCount> found;
    found.fill(-1);
    for (const InstructionDef& def : table())
      for (size_t a = 0; a < def.attrs.size(); ++a)
        if (std::string_view(def.attrs[a].name) == kBitsAttr) found[static_cast<size_t>(def.op)] = static_cast<int>(a);
    return found;
  }();
  return index[static_cast<size_t>(op)];
}

int node_bits(Op op, const Attrs& attrs) {
  const int a = bits_attr(op);
  return a < 0 || attrs[a] == 0 ? kFullPrecisionBits : attrs[a];
}

}  // namespace gos::graph
