#pragma once
// The standard operators written as instruction graphs, so that a search can
// start from the operator it replaces. Each seed maps the spec's input shape
// to its output shape at stride 1 (same height and width) or stride 2
// (ceil(H/2) x ceil(W/2)).
#include <string>
#include <string_view>
#include <vector>

#include "searchspaces/gos/graph.h"

namespace gos::graph {

// conv3x3_bn_relu, depthwise_separable, bottleneck, mbconv, inception.
std::vector<std::string> seed_names();

// The seed `name` for `spec`, valid and canonical. Throws gos::Error for an
// unknown name, or when the seed cannot map spec.input to spec.output within
// spec.max_nodes (saying why).
Graph make_seed(std::string_view name, const GraphSpec& spec);

}  // namespace gos::graph
