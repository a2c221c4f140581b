#pragma once
// Random construction and variation of operator graphs: sampling from
// scratch, the five shape-preserving mutations, and crossover by subgraph
// exchange. Every function here returns only valid graphs: an edit that gives
// a node a new shape is repaired by splicing adapters (pooling, upsampling,
// pconv) after it; one that still breaks a shape rule, the output shape or
// max_nodes is rejected and redrawn, never emitted.
#include <vector>

#include "framework/rng.h"
#include "searchspaces/gos/graph.h"

namespace gos::graph {

struct VariationConfig {
  GraphSpec spec;
  std::vector<Op> allowed;           // instructions that may be drawn (not kInput)
  std::vector<int> channel_choices;  // values drawn for channel attributes
  // Widths drawn for the `b` attribute of weighted instructions (32 = full
  // precision; each gos::valid_bits). Empty: `b` is never drawn or changed,
  // every sampled node is full precision.
  std::vector<int> bit_choices;
  int attempts = 200;  // redraws before giving up on one edit
};

// The channel choices for a spec: the input and output channel counts and
// their halves, doubles and quarters, clipped to [1, kMaxChannels].
std::vector<int> default_channel_choices(const GraphSpec& spec);
std::vector<Op> all_instructions();

enum class Mutation { kInsert, kRemove, kChangeInstruction, kChangeAttribute, kRewire };
inline constexpr int kMutationCount = 5;
const char* to_string(Mutation mutation);

// A random valid graph built from scratch: random instructions on random
// earlier nodes, then channel and resolution adapters (pconv, avgpool,
// upsample, when allowed) so the output matches. Throws gos::Error when no
// valid graph is found within config.attempts draws.
Graph sample_graph(const VariationConfig& config, Rng& rng);

// One attempt at `kind` on `parent`; false when this draw gave no valid,
// different graph (the caller redraws).
bool try_mutation(const VariationConfig& config, const Graph& parent, Mutation kind, Rng& rng, Graph& child);

// A valid graph one mutation from `parent` (kind drawn uniformly, redrawn on
// failure); the parent itself only when no mutation applies in
// config.attempts draws (e.g. a one-node graph with a single legal form).
Graph mutate_graph(const VariationConfig& config, const Graph& parent, Rng& rng);

// Subgraph exchange: in a child of `a`, the value of a node is replaced by a
// copy of the subgraph computing an equally shaped node of `b` (and vice
// versa for the second child). Falls back to copies of the parents when no
// exchange fits max_nodes within config.attempts draws.
std::pair<Graph, Graph> crossover_graphs(const VariationConfig& config, const Graph& a, const Graph& b, Rng& rng);

}  // namespace gos::graph
