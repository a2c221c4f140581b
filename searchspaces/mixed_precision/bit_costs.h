#pragma once
// The hardware costs of a mixed-precision network that need no model: BitOPs
// and storage in bits, from each quantizable layer's MACs and weight count.
// Free of LibTorch, so tests and strategies can use them cheaply.
#include <cstdint>
#include <string>
#include <vector>

namespace gos::mixed_precision {

// One convolution or linear layer of a network.
struct LayerCost {
  std::string path;
  double macs = 0;               // multiply-accumulates of one forward pass (batch 1)
  int64_t weights = 0;           // elements of the weight tensor
  int64_t other_parameters = 0;  // bias elements, kept at 32 bits
};

// A layer's widths: weights and input activations.
struct LayerBits {
  int64_t weight = 32;
  int64_t activation = 32;
};

// BitOPs: sum over layers of MACs x weight bits x activation bits (the
// measure of Wang et al. 2019 / QuanTOAStER). Full precision counts 32 x 32.
// Throws gos::Error when the sizes differ.
double bitops(const std::vector<LayerCost>& layers, const std::vector<LayerBits>& bits);

// Storage in bits: each layer's weights at its weight width, its other
// parameters at 32 bits, plus `fixed_parameters` (batch norm and anything
// not in a quantizable layer) at 32 bits.
double model_bits(const std::vector<LayerCost>& layers, const std::vector<LayerBits>& bits, int64_t fixed_parameters);

}  // namespace gos::mixed_precision
