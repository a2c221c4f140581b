#pragma once
// The instruction set of GOS operator graphs: basic tensor instructions over
// NCHW activations (the batch dimension is implicit). Each instruction
// declares its inputs, its attributes with their legal values, its shape rule,
// and its exact parameter and FLOP counts.
//
// The whole set is one table (instruction.cc), one entry per instruction.
// A table rather than self-registering files: registration by static
// initialisers in a static library is silently dropped by the linker when no
// symbol of the file is referenced, and the table keeps the plain-C++ core free
// of any registry machinery on the 100k-candidates-per-second hot path.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gos::graph {

// One activation shape without the batch dimension.
struct Shape {
  int c = 0;
  int h = 0;
  int w = 0;
  bool operator==(const Shape&) const = default;
  int64_t elements() const { return int64_t{c} * h * w; }
  std::string to_string() const;  // "16x32x32"
};

enum class Op : uint8_t {
  kInput,  // the operator's input; node 0 of every graph, never sampled
  kConv,
  kPointwiseConv,
  kDepthwiseConv,
  kAdd,
  kMul,
  kConcat,
  kSplit,
  kShuffle,
  kShift,
  kAvgPool,
  kMaxPool,
  kUpsample,
  kTranspose,
  kSpaceToDepth,
  kDepthToSpace,
  kScale,
  kBatchNorm,
  kRelu,
  kRelu6,
  kHardSwish,
  kSigmoid,
  kGelu,
  kIdentity,
  // Appended rather than grouped with kScale: an Op's value enters structural
  // hashes and kernel keys, which must stay stable for the instructions before it.
  kBias,
};
inline constexpr int kOpCount = static_cast<int>(Op::kBias) + 1;
inline constexpr int kMaxAttrs = 7;
inline constexpr int kMaxInputs = 2;
// Channel attributes (output channels of convolutions) may take any value in
// [1, kMaxChannels]; samplers draw them from the space's channel choices.
inline constexpr int kMaxChannels = 4096;
// Height and width may not grow beyond this (upsampling, depth_to_space).
inline constexpr int kMaxSpatial = 1024;

using Attrs = std::array<int, kMaxAttrs>;

struct AttrSpec {
  const char* name;
  std::vector<int> legal;  // empty: a channel count in [1, kMaxChannels]
  const char* help;
  // An optional attribute is stored as 0 when absent, which means
  // `absent_value` (the bit width `b`: 32, full precision); that value may
  // also be written out ("b=32") and is read as absent. Absent attributes
  // are left out of genome strings, kernel keys, kernel features and hashes,
  // so graphs written before the attribute existed keep their text, keys and
  // hashes. Optional attributes come last in an instruction's list.
  bool optional = false;
  int absent_value = 0;
  bool is_channels() const { return legal.empty(); }
  bool allows(int value) const;  // 0 (absent) for an optional attribute
  // The stored form of `value` as read from text: 0 for an optional
  // attribute's absent_value, else the value itself.
  int stored(int value) const { return optional && value == absent_value ? 0 : value; }
  std::string describe() const;  // "one of {1, 3, 5, 7}" / "a channel count in [1, 4096]"
};

// What a shape rule returns: the output shape, or why the inputs do not fit.
struct ShapeResult {
  Shape shape;
  const char* error = nullptr;  // static text; null when the shapes fit
};

struct InstructionDef {
  Op op;
  const char* name;  // the token in genome strings
  int inputs;        // 1 or 2 (0 for kInput)
  bool commutative;  // input order does not change the result (add, mul)
  std::vector<AttrSpec> attrs;
  const char* summary;
  ShapeResult (*infer)(std::span<const Shape> in, const Attrs& attrs);
  int64_t (*params)(std::span<const Shape> in, const Shape& out, const Attrs& attrs);
  int64_t (*flops)(std::span<const Shape> in, const Shape& out, const Attrs& attrs);
};

const InstructionDef& instruction(Op op);
// Null when `name` is not an instruction (kInput is not nameable in genomes).
const InstructionDef* find_instruction(std::string_view name);
std::vector<std::string> instruction_names();  // every sampleable instruction
std::span<const InstructionDef> instruction_table();

// The bit width of weights and input of a weighted instruction (conv, pconv,
// dwconv): their optional attribute `b`, LSQ fake quantization
// (torchlib/quantization.h) when below 32 bits; the widths `b` may take are
// gos::valid_bits (framework/bit_widths.h).
inline constexpr int kFullPrecisionBits = 32;
inline constexpr const char* kBitsAttr = "b";
// The index of `op`'s attribute `b`, -1 for instructions without weights.
int bits_attr(Op op);
// The width a node computes at: its `b`, or 32 when absent or not weighted.
int node_bits(Op op, const Attrs& attrs);

// conv's optional attribute `kw`: the kernel's width when it differs from
// its height `k` (InceptionV3's 1x7 and 7x1 convolutions); absent, the kernel
// is k x k. Stored as 0 when absent or equal to k (canonicalize), so that a
// square kernel has one form. Seeded from operators, never drawn by sampling
// or mutation (which change `k` and keep it), so that searches of square
// operators draw the random stream as before.
inline constexpr const char* kKernelWidthAttr = "kw";
inline constexpr int kConvKernelWidth = 6;  // its index in conv's attributes
// A conv node's kernel width: its `kw`, else `k`.
inline int conv_kernel_width(const Attrs& attrs) {
  return attrs[kConvKernelWidth] != 0 ? attrs[kConvKernelWidth] : attrs[0];
}

// With "same" padding (d * (k - 1) / 2) a strided window gives ceil(in / stride).
inline int strided(int size, int stride) { return (size + stride - 1) / stride; }

}  // namespace gos::graph
