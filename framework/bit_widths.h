#pragma once
// The bit widths GOS quantizes weights and activations to: one rule for the
// torch-free code that checks configurations and genomes (the attribute b of
// GOS graphs, [adapt] bits) and for the LSQ quantizers (torchlib/quantization.h).
#include <cstdint>

namespace gos {

// 1..8, 16 or 32 (32 = full precision: no quantizer).
inline bool valid_bits(int64_t bits) { return (bits >= 1 && bits <= 8) || bits == 16 || bits == 32; }
inline constexpr const char* kValidBitsText = "1..8, 16 or 32 (32 = full precision)";

}  // namespace gos
