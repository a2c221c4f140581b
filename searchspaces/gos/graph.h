#pragma once
// The operator-graph genome: a DAG of instructions from one input of fixed
// shape to one output whose shape must equal the replaced operator's.
//
// In memory a graph is kept canonical: nodes in topological order, node 0 the
// input, the last node the output, every node live (an ancestor of the output).
// `finalize` restores that form after an edit, so equal graphs have equal
// node vectors and equal canonical strings.
//
// Genome grammar (whitespace between tokens is ignored):
//   genome := "in:" SHAPE (";" node)* ";out:" REF
//   node   := ID "=" NAME ["[" attr ("," attr)* "]"] "(" REF ["," REF] ")"
//   attr   := NAME "=" INT        SHAPE := INT "x" INT "x" INT
//   (every attribute but optional ones, such as b, must be given)
//   ID     := "n" INT (not n0)    REF   := "n" INT (n0 is the input)
// Nodes may be listed in any order when parsed; the canonical string lists
// them in the order of a depth-first walk from the output (inputs in order).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "framework/error.h"
#include "framework/genome.h"
#include "searchspaces/gos/instruction.h"

namespace gos::graph {

struct Node {
  Op op = Op::kInput;
  std::array<int, kMaxInputs> inputs{-1, -1};  // indices of earlier nodes; -1 unused
  Attrs attrs{};
  bool operator==(const Node&) const = default;
};

struct Graph : Genome {
  std::vector<Node> nodes;    // nodes[0] is the input
  std::vector<Shape> shapes;  // per node, filled by finalize / infer_shapes
  bool operator==(const Graph& other) const { return nodes == other.nodes; }
  const Shape& output_shape() const { return shapes.back(); }
  size_t instruction_count() const { return nodes.size() - 1; }
};

// What a valid graph must satisfy. A zero shape accepts any shape (for tools
// that read a genome without its search space, such as `gos show`).
struct GraphSpec {
  Shape input;
  Shape output;
  size_t max_nodes = 16;  // instruction nodes, not counting the input
};
inline constexpr Shape kAnyShape{0, 0, 0};

// Shape inference in node order. Returns an empty string when every node's
// inputs fit it, else why not, naming the node ("n3 (add): its two inputs have
// different shapes (16x8x8 and 32x8x8)"). Fills graph.shapes.
std::string infer_shapes(Graph& graph, const Shape& input);

// Full validation: structure (input first, inputs refer to earlier nodes,
// arities, legal attributes), shapes, output shape, node limit. Returns the
// reason the graph is invalid, or an empty string. Fills graph.shapes.
std::string validate(Graph& graph, const GraphSpec& spec);

// Drops nodes that do not feed the output and renumbers the rest in the
// canonical depth-first order. Structure must already be sound (inputs refer
// to earlier nodes). `output` is the output node's index; -1: the last node.
void canonicalize(Graph& graph, int output = -1);

// canonicalize + validate; throws gos::Error with the reason when invalid.
void finalize(Graph& graph, const GraphSpec& spec);

std::string serialize(const Graph& graph);
// Parses, canonicalizes and validates; throws gos::Error naming the offending
// position, node or attribute. Never crashes on any input.
Graph parse(std::string_view text, const GraphSpec& spec);

// A hash of the graph's structure that ignores the order nodes are listed in
// and the order of inputs of commutative instructions (Merkle hash from the
// input to the output). The graph must be valid.
uint64_t structural_hash(const Graph& graph);
// The Merkle hash of every node: equal for nodes computing the same
// structure from the input, wherever they are listed.
std::vector<uint64_t> node_hashes(const Graph& graph);

// The exact parameter and FLOP counts of a valid graph (convention in
// instruction.cc), and per node.
int64_t node_params(const Graph& graph, size_t index);
int64_t node_flops(const Graph& graph, size_t index);
int64_t count_params(const Graph& graph);
int64_t count_flops(const Graph& graph);
// BitOPs as QuanTOAStER counts them: the sum over weighted nodes (conv,
// pconv, dwconv) of MACs x b x b (weights and input at the node's width; 32
// for full precision). Other instructions are not counted.
double count_bitops(const Graph& graph);
// Bits to store the parameters: each node's at its width (32 for every
// instruction without `b`).
int64_t count_model_bits(const Graph& graph);

// "conv[k=3,co=32,g=1,d=1,s=1]" — the instruction with its attributes.
std::string describe_node(const Graph& graph, size_t index);

// The graph as Graphviz DOT: one box per node with its instruction and output
// shape, edges labelled with the input slot where the order matters.
std::string to_dot(const Graph& graph, std::string_view title);

}  // namespace gos::graph
