#include "searchspaces/gos/graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <map>

#include "framework/text.h"

namespace gos::graph {
namespace {

std::string node_name(std::span<const std::string> names, size_t index) {
  return index < names.size() ? names[index] : fmt::format("n{}", index);
}

int arity(Op op) { return instruction(op).inputs; }

// The input shapes of node `index` (shapes of earlier nodes must be known).
std::array<Shape, kMaxInputs> input_shapes(const Graph& graph, size_t index) {
  std::array<Shape, kMaxInputs> in{};
  const Node& node = graph.nodes[index];
  for (int j = 0; j < arity(node.op); ++j) in[j] = graph.shapes[node.inputs[j]];
  return in;
}

std::string infer_named(Graph& graph, const Shape& input, std::span<const std::string> names) {
  graph.shapes.resize(graph.nodes.size());
  graph.shapes[0] = input;
  for (size_t i = 1; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    const InstructionDef& def = instruction(node.op);
    const auto in = input_shapes(graph, i);
    const ShapeResult result = def.infer(std::span<const Shape>(in.data(), def.inputs), node.attrs);
    if (result.error) {
      std::string shapes = in[0].to_string();
      if (def.inputs == 2) shapes += " and " + in[1].to_string();
      return fmt::format("{} ({}): {} (input {})", node_name(names, i), def.name, result.error, shapes);
    }
    graph.shapes[i] = result.shape;
  }
  return {};
}

std::string validate_named(Graph& graph, const GraphSpec& spec, std::span<const std::string> names) {
  if (graph.nodes.empty() || graph.nodes[0].op != Op::kInput) return "node 0 must be the input";
  if (graph.nodes.size() < 2) return "the graph has no instruction: at least one is needed";
  if (graph.instruction_count() > spec.max_nodes)
    return fmt::format("the graph has {} instructions, more than max_nodes = {}", graph.instruction_count(),
                       spec.max_nodes);
  for (size_t i = 1; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    if (static_cast<int>(node.op) <= 0 || static_cast<int>(node.op) >= kOpCount)
      return fmt::format("{}: not an instruction", node_name(names, i));
    const InstructionDef& def = instruction(node.op);
    for (int j = 0; j < kMaxInputs; ++j) {
      const int source = node.inputs[j];
      if (j >= def.inputs) {
        if (source != -1) return fmt::format("{} ({}): takes {} input(s)", node_name(names, i), def.name, def.inputs);
      } else if (source < 0 || static_cast<size_t>(source) >= i) {
        return fmt::format("{} ({}): input {} does not refer to an earlier node", node_name(names, i), def.name, j);
      }
    }
    for (size_t a = 0; a < kMaxAttrs; ++a) {
      if (a >= def.attrs.size()) {
        if (node.attrs[a] != 0) return fmt::format("{} ({}): unexpected attribute", node_name(names, i), def.name);
      } else if (!def.attrs[a].allows(node.attrs[a])) {
        return fmt::format("{} ({}): attribute {}={} is out of range; valid: {}", node_name(names, i), def.name,
                           def.attrs[a].name, node.attrs[a], def.attrs[a].describe());
      }
    }
  }
  std::string shape_error = infer_named(graph, spec.input, names);
  if (!shape_error.empty()) return shape_error;
  if (spec.output != kAnyShape && graph.output_shape() != spec.output)
    return fmt::format("the output {} ({}) has shape {}, but the operator must produce {}",
                       node_name(names, graph.nodes.size() - 1), instruction(graph.nodes.back().op).name,
                       graph.output_shape().to_string(), spec.output.to_string());
  return {};
}

// Post-order from `index`: inputs first (in slot order), then the node.
// Graphs are small (max_nodes is at most a few hundred), so recursion is safe.
void visit(const std::vector<Node>& nodes, int index, std::vector<int>& order, std::vector<int>& new_index) {
  if (new_index[index] >= 0) return;
  for (int j = 0; j < arity(nodes[index].op); ++j) visit(nodes, nodes[index].inputs[j], order, new_index);
  new_index[index] = static_cast<int>(order.size());
  order.push_back(index);
}

uint64_t mix(uint64_t h, uint64_t value) {
  uint64_t z = h ^ (value + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A cursor over genome text that skips whitespace and reports positions.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool at_end() {
    skip_space();
    return pos_ >= text_.size();
  }
  bool accept(std::string_view token) {
    skip_space();
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }
  void expect(std::string_view token, std::string_view what) {
    if (!accept(token)) fail(fmt::format("expected '{}' {}", token, what));
  }
  int integer(std::string_view what) {
    skip_space();
    int value = 0;
    const char* begin = text_.data() + pos_;
    const auto [end, ec] = std::from_chars(begin, text_.data() + text_.size(), value);
    if (ec == std::errc::result_out_of_range) fail(fmt::format("{} is too large", what));
    if (ec != std::errc() || end == begin) fail(fmt::format("expected an integer for {}", what));
    pos_ += static_cast<size_t>(end - begin);
    return value;
  }
  std::string name(std::string_view what) {
    skip_space();
    const size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) ++pos_;
    if (pos_ == start) fail(fmt::format("expected {}", what));
    return std::string(text_.substr(start, pos_ - start));
  }
  // "n<digits>"
  std::string node_id(std::string_view what) {
    std::string id = name(what);
    if (id.size() < 2 || id[0] != 'n' ||
        !std::all_of(id.begin() + 1, id.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      fail(fmt::format("'{}' is not a node name (n0 for the input, n1, n2, ... for instructions)", id));
    return id;
  }
  [[noreturn]] void fail(const std::string& message) const {
    throw Error(fmt::format("genome: at character {}: {}", pos_ + 1, message));
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

struct ParsedNode {
  std::string id;
  Op op = Op::kInput;
  Attrs attrs{};
  std::vector<std::string> inputs;
};

// The maximum number of listed nodes the decoder accepts (dead ones included),
// so hostile input cannot make it allocate without bound.
constexpr size_t kMaxListedNodes = 4096;

}  // namespace

std::string infer_shapes(Graph& graph, const Shape& input) { return infer_named(graph, input, {}); }

std::string validate(Graph& graph, const GraphSpec& spec) { return validate_named(graph, spec, {}); }

namespace {

// One form for a square kernel: conv's kw = k is kw absent.
void normalize_kernel_width(Node& node) {
  if (node.op == Op::kConv && node.attrs[kConvKernelWidth] == node.attrs[0]) node.attrs[kConvKernelWidth] = 0;
}

}  // namespace

void canonicalize(Graph& graph, int output) {
  if (output < 0) output = static_cast<int>(graph.nodes.size()) - 1;
  std::vector<int> order;
  std::vector<int> new_index(graph.nodes.size(), -1);
  order.reserve(graph.nodes.size());
  visit(graph.nodes, output, order, new_index);
  std::vector<Node> nodes;
  nodes.reserve(order.size());
  for (int old : order) {
    Node node = graph.nodes[old];
    for (int j = 0; j < arity(node.op); ++j) node.inputs[j] = new_index[node.inputs[j]];
    normalize_kernel_width(node);
    nodes.push_back(node);
  }
  graph.nodes = std::move(nodes);
  graph.shapes.clear();
}

void finalize(Graph& graph, const GraphSpec& spec) {
  canonicalize(graph);
  const std::string error = validate(graph, spec);
  if (!error.empty()) throw Error("invalid operator graph: " + error);
}

std::string describe_node(const Graph& graph, size_t index) {
  const Node& node = graph.nodes[index];
  const InstructionDef& def = instruction(node.op);
  std::string text = def.name;
  bool first = true;
  for (size_t a = 0; a < def.attrs.size(); ++a) {
    if (def.attrs[a].optional && node.attrs[a] == 0) continue;  // absent: the text predates the attribute
    text += fmt::format("{}{}={}", first ? "[" : ",", def.attrs[a].name, node.attrs[a]);
    first = false;
  }
  if (!first) text += "]";
  return text;
}

std::string serialize(const Graph& graph) {
  std::string text = "in:" + graph.shapes.front().to_string();
  for (size_t i = 1; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    text += fmt::format(";n{}={}(n{}", i, describe_node(graph, i), node.inputs[0]);
    if (arity(node.op) == 2) text += fmt::format(",n{}", node.inputs[1]);
    text += ")";
  }
  return text + fmt::format(";out:n{}", graph.nodes.size() - 1);
}

Graph parse(std::string_view text, const GraphSpec& spec) {
  Parser parser(text);
  parser.expect("in:", "at the start of a genome (in:CxHxW;...)");
  Shape input;
  input.c = parser.integer("the input channels");
  parser.expect("x", "between input dimensions");
  input.h = parser.integer("the input height");
  parser.expect("x", "between input dimensions");
  input.w = parser.integer("the input width");
  if (spec.input != kAnyShape && input != spec.input)
    throw Error(fmt::format("genome: input shape {} does not match the search space's input {}", input.to_string(),
                            spec.input.to_string()));

  std::vector<ParsedNode> parsed;
  std::map<std::string, size_t, std::less<>> by_id;
  std::string output_id;
  for (;;) {
    parser.expect(";", "between nodes");
    if (parser.accept("out:")) {
      output_id = parser.node_id("the output node after 'out:'");
      if (!parser.at_end()) parser.fail("unexpected text after the output node");
      break;
    }
    if (parsed.size() >= kMaxListedNodes) parser.fail(fmt::format("more than {} nodes", kMaxListedNodes));
    ParsedNode node;
    node.id = parser.node_id("a node name such as n1");
    if (node.id == "n0") parser.fail("n0 is the input and cannot be defined");
    if (by_id.count(node.id)) parser.fail(fmt::format("node {} is defined twice", node.id));
    parser.expect("=", fmt::format("after node name {}", node.id));
    const std::string op_name = parser.name(fmt::format("an instruction name for node {}", node.id));
    const InstructionDef* def = find_instruction(op_name);
    if (!def)
      parser.fail(fmt::format("node {}: unknown instruction '{}'{}; valid: {}", node.id, op_name,
                              did_you_mean(op_name, instruction_names()), join(instruction_names(), ", ")));
    node.op = def->op;
    std::vector<bool> seen(def->attrs.size(), false);
    if (parser.accept("[")) {
      do {
        const std::string attr = parser.name(fmt::format("an attribute name of node {}", node.id));
        size_t a = 0;
        while (a < def->attrs.size() && attr != def->attrs[a].name) ++a;
        if (a == def->attrs.size()) {
          std::vector<std::string> valid;
          for (const AttrSpec& spec_attr : def->attrs) valid.emplace_back(spec_attr.name);
          parser.fail(fmt::format("node {} ({}): unknown attribute '{}'{}; valid: {}", node.id, def->name, attr,
                                  did_you_mean(attr, valid), valid.empty() ? "(none)" : join(valid, ", ")));
        }
        if (seen[a]) parser.fail(fmt::format("node {} ({}): attribute {} given twice", node.id, def->name, attr));
        seen[a] = true;
        parser.expect("=", fmt::format("after attribute {} of node {}", attr, node.id));
        const int written = parser.integer(fmt::format("attribute {} of node {}", attr, node.id));
        const int value = def->attrs[a].stored(written);
        // 0 is how an absent optional attribute is stored, never a value to write.
        if ((def->attrs[a].optional && written == 0) || !def->attrs[a].allows(value))
          parser.fail(fmt::format("node {} ({}): attribute {}={} is out of range; valid: {}", node.id, def->name, attr,
                                  written, def->attrs[a].describe()));
        node.attrs[a] = value;
      } while (parser.accept(","));
      parser.expect("]", fmt::format("to close the attributes of node {}", node.id));
    }
    for (size_t a = 0; a < def->attrs.size(); ++a)
      if (!seen[a] && !def->attrs[a].optional)
        parser.fail(fmt::format("node {} ({}): attribute {} is missing ({})", node.id, def->name, def->attrs[a].name,
                                def->attrs[a].describe()));
    parser.expect("(", fmt::format("before the inputs of node {}", node.id));
    do {
      node.inputs.push_back(parser.node_id(fmt::format("an input of node {}", node.id)));
    } while (parser.accept(","));
    parser.expect(")", fmt::format("after the inputs of node {}", node.id));
    if (static_cast<int>(node.inputs.size()) != def->inputs)
      parser.fail(
          fmt::format("node {} ({}): takes {} input(s), got {}", node.id, def->name, def->inputs, node.inputs.size()));
    by_id.emplace(node.id, parsed.size());
    parsed.push_back(std::move(node));
  }

  // Resolve names: index 0 is the input, parsed node k is index k + 1.
  const auto resolve = [&](const std::string& id, const std::string& user) -> int {
    if (id == "n0") return 0;
    const auto it = by_id.find(id);
    if (it == by_id.end())
      throw Error(fmt::format("genome: {} refers to {}, which is not defined (dangling edge)", user, id));
    return static_cast<int>(it->second) + 1;
  };
  std::vector<std::array<int, kMaxInputs>> edges(parsed.size() + 1, {-1, -1});
  for (size_t k = 0; k < parsed.size(); ++k)
    for (size_t j = 0; j < parsed[k].inputs.size(); ++j)
      edges[k + 1][j] = resolve(parsed[k].inputs[j], "node " + parsed[k].id);
  const int output = resolve(output_id, "the output");
  if (output == 0) throw Error("genome: the output is the input n0; at least one instruction is needed");

  // Depth-first post-order from the output gives the canonical order; a node
  // met again while still open closes a cycle. Dead nodes are checked for
  // cycles too, so that no cyclic genome is accepted.
  enum : uint8_t { kNew, kOpen, kDone };
  std::vector<uint8_t> state(edges.size(), kNew);
  std::vector<int> order;
  std::vector<int> stack;  // open path, for the cycle message
  const auto id_of = [&](int index) { return index == 0 ? std::string("n0") : parsed[index - 1].id; };
  std::function<void(int)> walk = [&](int index) {
    if (state[index] == kDone) return;
    if (state[index] == kOpen) {
      std::string path;
      for (auto it = std::find(stack.begin(), stack.end(), index); it != stack.end(); ++it) path += id_of(*it) + " -> ";
      throw Error(fmt::format("genome: cycle {}{}; an operator graph must be acyclic", path, id_of(index)));
    }
    state[index] = kOpen;
    stack.push_back(index);
    for (int source : edges[index])
      if (source >= 0) walk(source);
    stack.pop_back();
    state[index] = kDone;
    order.push_back(index);
  };
  walk(output);
  const std::vector<int> live = order;
  for (size_t k = 1; k < edges.size(); ++k) walk(static_cast<int>(k));

  Graph graph;
  std::vector<int> new_index(edges.size(), -1);
  std::vector<std::string> names;
  for (int old : live) {
    new_index[old] = static_cast<int>(graph.nodes.size());
    Node node;
    if (old > 0) {
      node.op = parsed[old - 1].op;
      node.attrs = parsed[old - 1].attrs;
      normalize_kernel_width(node);
      for (size_t j = 0; j < kMaxInputs; ++j)
        if (edges[old][j] >= 0) node.inputs[j] = new_index[edges[old][j]];
    }
    graph.nodes.push_back(node);
    names.push_back(id_of(old));
  }
  if (input.c < 1 || input.h < 1 || input.w < 1 || input.c > kMaxChannels || input.h > kMaxSpatial ||
      input.w > kMaxSpatial)
    throw Error(fmt::format("genome: input shape {} is outside [1, {}] x [1, {}] x [1, {}]", input.to_string(),
                            kMaxChannels, kMaxSpatial, kMaxSpatial));
  const std::string error = validate_named(graph, GraphSpec{input, spec.output, spec.max_nodes}, names);
  if (!error.empty()) throw Error("genome: " + error);
  return graph;
}

uint64_t structural_hash(const Graph& graph) { return node_hashes(graph).back(); }

std::vector<uint64_t> node_hashes(const Graph& graph) {
  std::vector<uint64_t> hashes(graph.nodes.size());
  const Shape& input = graph.shapes.front();
  hashes[0] =
      mix(mix(mix(0, static_cast<uint64_t>(input.c)), static_cast<uint64_t>(input.h)), static_cast<uint64_t>(input.w));
  for (size_t i = 1; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    const InstructionDef& def = instruction(node.op);
    uint64_t h = mix(0x5a17, static_cast<uint64_t>(node.op));
    for (size_t a = 0; a < def.attrs.size(); ++a)
      if (!def.attrs[a].optional || node.attrs[a] != 0) h = mix(h, static_cast<uint64_t>(node.attrs[a]));
    uint64_t in0 = hashes[node.inputs[0]];
    uint64_t in1 = def.inputs == 2 ? hashes[node.inputs[1]] : 0;
    if (def.commutative && in1 < in0) std::swap(in0, in1);
    hashes[i] = mix(mix(h, in0), in1);
  }
  return hashes;
}

int64_t node_params(const Graph& graph, size_t index) {
  const InstructionDef& def = instruction(graph.nodes[index].op);
  const auto in = input_shapes(graph, index);
  return def.params(std::span<const Shape>(in.data(), def.inputs), graph.shapes[index], graph.nodes[index].attrs);
}

int64_t node_flops(const Graph& graph, size_t index) {
  const InstructionDef& def = instruction(graph.nodes[index].op);
  const auto in = input_shapes(graph, index);
  return def.flops(std::span<const Shape>(in.data(), def.inputs), graph.shapes[index], graph.nodes[index].attrs);
}

int64_t count_params(const Graph& graph) {
  int64_t total = 0;
  for (size_t i = 1; i < graph.nodes.size(); ++i) total += node_params(graph, i);
  return total;
}

int64_t count_flops(const Graph& graph) {
  int64_t total = 0;
  for (size_t i = 1; i < graph.nodes.size(); ++i) total += node_flops(graph, i);
  return total;
}

double count_bitops(const Graph& graph) {
  double total = 0;
  for (size_t i = 1; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    if (bits_attr(node.op) < 0) continue;
    const double bits = node_bits(node.op, node.attrs);
    total += static_cast<double>(node_flops(graph, i)) / 2 * bits * bits;  // a MAC is 2 FLOPs
  }
  return total;
}

int64_t count_model_bits(const Graph& graph) {
  int64_t total = 0;
  for (size_t i = 1; i < graph.nodes.size(); ++i)
    total += node_params(graph, i) * node_bits(graph.nodes[i].op, graph.nodes[i].attrs);
  return total;
}

}  // namespace gos::graph

namespace gos::graph {

std::string to_dot(const Graph& graph, std::string_view title) {
  std::string dot = fmt::format(
      "digraph gos_graph {{\n  label=\"{}\";\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\"];\n", title);
  dot += fmt::format("  n0 [label=\"input\\n{}\", shape=ellipse];\n", graph.shapes[0].to_string());
  for (size_t i = 1; i < graph.nodes.size(); ++i) {
    const bool output = i + 1 == graph.nodes.size();
    dot += fmt::format("  n{} [label=\"n{}: {}\\n{}\"{}];\n", i, i, describe_node(graph, i),
                       graph.shapes[i].to_string(), output ? ", peripheries=2" : "");
  }
  for (size_t i = 1; i < graph.nodes.size(); ++i) {
    const InstructionDef& def = instruction(graph.nodes[i].op);
    for (int j = 0; j < def.inputs; ++j) {
      const bool ordered = def.inputs == 2 && !def.commutative;
      dot += fmt::format("  n{} -> n{}{};\n", graph.nodes[i].inputs[j], i,
                         ordered ? fmt::format(" [label=\"{}\"]", j) : "");
    }
  }
  return dot + "}\n";
}

}  // namespace gos::graph
