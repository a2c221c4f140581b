#pragma once
// The LibTorch-backed services of operator graphs, behind a plain C++ header
// so that the search space and its callers compile without torch headers.
// Implemented in compile.cc, the one torch translation unit of the library.
#include <cstdint>
#include <memory>
#include <string>

#include "framework/device.h"
#include "searchspaces/gos/graph.h"

namespace gos::graph {

// A workload that runs the compiled graph (inference mode, no gradients) on
// a fixed random input of `batch` x the graph's input shape. key() = `key`.
std::unique_ptr<Workload> make_graph_workload(const Graph& graph, int batch, std::string key);

// A workload that runs node 1 of a one-instruction graph alone, on random
// inputs of `batch` x the graph's input shape and, for two-input
// instructions, `batch` x `second_input`. key() = `key`.
std::unique_ptr<Workload> make_kernel_workload(const Graph& graph, const Shape& second_input, int batch,
                                               std::string key);

// A functional fingerprint: a hash of the graph's output (rounded to 4
// significant digits) on a fixed probe input, with every trainable parameter
// drawn from a stream seeded by its node's instruction, attributes and input
// shape. Graphs computing the same function get the same fingerprint (relu of
// relu vs relu, an inserted identity, a reordered listing).
uint64_t functional_fingerprint(const Graph& graph);

}  // namespace gos::graph
