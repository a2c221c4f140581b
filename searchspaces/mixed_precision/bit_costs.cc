#include "searchspaces/mixed_precision/bit_costs.h"

#include <fmt/format.h>

#include "framework/error.h"

namespace gos::mixed_precision {
namespace {

void check_sizes(const std::vector<LayerCost>& layers, const std::vector<LayerBits>& bits) {
  if (layers.size() != bits.size())
    throw Error(fmt::format("{} bit widths for {} quantizable layers", bits.size(), layers.size()));
}

}  // namespace

double bitops(const std::vector<LayerCost>& layers, const std::vector<LayerBits>& bits) {
  check_sizes(layers, bits);
  double total = 0;
  for (size_t i = 0; i < layers.size(); ++i)
    total += layers[i].macs * double(bits[i].weight) * double(bits[i].activation);
  return total;
}

double model_bits(const std::vector<LayerCost>& layers, const std::vector<LayerBits>& bits, int64_t fixed_parameters) {
  check_sizes(layers, bits);
  double total = 32.0 * double(fixed_parameters);
  for (size_t i = 0; i < layers.size(); ++i)
    total += double(layers[i].weights) * double(bits[i].weight) + 32.0 * double(layers[i].other_parameters);
  return total;
}

}  // namespace gos::mixed_precision
