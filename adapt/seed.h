#pragma once
// The first candidate of every search is the operator it replaces, written as
// a one-instruction graph that computes exactly what the operator computes.
// Include only from torch translation units.
#include <optional>
#include <string>
#include <vector>

#include "searchspaces/gos/compile.h"
#include "torchlib/zoo.h"

namespace gos::adapt {

struct OperatorSeed {
  std::optional<graph::Graph> graph;  // empty when the operator has no exact graph
  std::string reason;                 // why not, for the log and the results file
};

// The slot's operator as a graph: a convolution with a kernel of 1, 3, 5 or
// 7 on each axis (non-square ones: conv's `kw`), "same" padding, stride 1 or
// 2 and 1, 2, 4, 8 or all-channel groups becomes conv / pconv / dwconv
// (depthwise: square only), followed by a `bias` node when it has a bias
// (MobileNetV3's squeeze-excitation convolutions). Anything else (batch norm,
// linear, an unpadded convolution, a replaced slot) gets a reason instead. `max_nodes`
// is the graph limit of the search the seed starts.
OperatorSeed seed_from_operator(TorchModel& op, const SlotInfo& info, size_t max_nodes);

// Cheaper rewrites of a one-convolution seed (with its bias node, if any) that a search should not have to find
// by several blind mutations: a k x k convolution as depthwise k x k followed
// by pointwise (depthwise-separable), grouped convolutions (2 and 4 groups),
// a 5x5 / 7x7 depthwise convolution as 3x3. Only those valid for `spec`.
std::vector<graph::Graph> seed_rewrites(const graph::Graph& seed, const graph::GraphSpec& spec);

// Copies the operator's weight into every convolution node of `module` whose
// weight has the same shape, and its bias into every bias node with as many
// channels, so that candidates keeping the original convolution start from its
// trained weights. Returns how many nodes got a copy.
size_t inherit_weights(TorchModel& op, graph::GraphModule& module);

// The seed compiled with the operator's weights, checked to reproduce the
// operator's output on a random input of the slot's shape (within float
// rounding). Throws gos::Error naming the slot when it does not.
std::shared_ptr<graph::GraphModule> compile_seed(TorchModel& op, const SlotInfo& info, const graph::Graph& seed);

}  // namespace gos::adapt
