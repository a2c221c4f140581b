#include "searchspaces/gos/variation.h"

#include <fmt/format.h>

#include <algorithm>

namespace gos::graph {
namespace {

bool is_allowed(const VariationConfig& config, Op op) {
  return std::find(config.allowed.begin(), config.allowed.end(), op) != config.allowed.end();
}

void draw_attrs(const VariationConfig& config, Op op, Rng& rng, Attrs& attrs) {
  attrs.fill(0);
  const InstructionDef& def = instruction(op);
  for (size_t a = 0; a < def.attrs.size(); ++a) {
    const AttrSpec& spec = def.attrs[a];
    if (spec.optional) {
      // `b` without bit choices stays absent and draws nothing, so that searches
      // without widths consume the random stream as before; conv's `kw` is never
      // drawn (it comes from seeds, instruction.h).
      if (static_cast<int>(a) == bits_attr(op) && !config.bit_choices.empty())
        attrs[a] = spec.stored(config.bit_choices[rng.index(config.bit_choices.size())]);
      continue;
    }
    attrs[a] = spec.is_channels() ? config.channel_choices[rng.index(config.channel_choices.size())]
                                  : spec.legal[rng.index(spec.legal.size())];
  }
}

// The attributes change_attribute may redraw, the first `count` of the list:
// the required ones, and `b` (the first optional one) when the search has bit
// choices; never `kw`.
size_t searchable_attrs(const VariationConfig& config, const InstructionDef& def) {
  size_t count = 0;
  while (count < def.attrs.size() && !def.attrs[count].optional) ++count;
  if (!config.bit_choices.empty() && static_cast<int>(count) == bits_attr(def.op)) ++count;
  return count;
}

// Inputs lean towards the most recent node so that sampled graphs have depth,
// not only a fan of branches off the input.
int draw_source(int before, Rng& rng) {
  return rng.bernoulli(0.5) ? before - 1 : static_cast<int>(rng.index(static_cast<size_t>(before)));
}

// The nodes (pooling or upsampling steps, then a pconv) that take a value of
// shape `from`, produced by node `source`, to shape `to`; each node reads the
// previous one, numbered from `source` + 1. False when the allowed adapters
// cannot (e.g. height and width need opposite changes).
bool adapter_chain(const VariationConfig& config, Shape from, const Shape& to, int source, Rng& rng,
                   std::vector<Node>& chain) {
  chain.clear();
  const auto append = [&](Op op, Attrs attrs, Shape shape) {
    Node node;
    node.op = op;
    node.inputs[0] = source + static_cast<int>(chain.size());
    node.attrs = attrs;
    chain.push_back(node);
    from = shape;
  };
  while ((from.h > to.h || from.w > to.w) && strided(from.h, 2) >= to.h && strided(from.w, 2) >= to.w) {
    const Op pool = rng.bernoulli(0.5) ? Op::kAvgPool : Op::kMaxPool;
    if (!is_allowed(config, pool)) return false;
    append(pool, {2}, {from.c, strided(from.h, 2), strided(from.w, 2)});
  }
  while ((from.h < to.h || from.w < to.w) && 2 * from.h <= to.h && 2 * from.w <= to.w) {
    if (!is_allowed(config, Op::kUpsample)) return false;
    append(Op::kUpsample, {}, {from.c, 2 * from.h, 2 * from.w});
  }
  if (from.c != to.c) {
    if (!is_allowed(config, Op::kPointwiseConv)) return false;
    append(Op::kPointwiseConv, {to.c}, {to.c, from.h, from.w});
  }
  return from == to;
}

// Inserts an adapter chain after node `at` (whose new shape is `from`) so that
// its consumers, which expected `to`, read the chain's end instead. This is
// the repair that lets insert, change_instruction and change_attribute make
// shape-changing edits (upsample, space_to_depth, concat, a stride of 2, ...).
bool splice_adapters(const VariationConfig& config, std::vector<Node>& nodes, int at, const Shape& from,
                     const Shape& to, Rng& rng) {
  if (from == to) return true;
  std::vector<Node> chain;
  if (!adapter_chain(config, from, to, at, rng, chain)) return false;
  const int added = static_cast<int>(chain.size());
  for (size_t i = static_cast<size_t>(at) + 1; i < nodes.size(); ++i)
    for (int j = 0; j < instruction(nodes[i].op).inputs; ++j) {
      int& input = nodes[i].inputs[j];
      if (input >= at) input += added;  // `at` itself is now read through the chain's end
    }
  nodes.insert(nodes.begin() + at + 1, chain.begin(), chain.end());
  return true;
}

// The output shape of `node` whose inputs are nodes of `parent`; false when
// they do not fit it.
bool infer_node(const Graph& parent, const Node& node, Shape& shape) {
  const InstructionDef& def = instruction(node.op);
  std::array<Shape, kMaxInputs> in{};
  for (int j = 0; j < def.inputs; ++j) in[j] = parent.shapes[node.inputs[j]];
  const ShapeResult result = def.infer(std::span<const Shape>(in.data(), def.inputs), node.attrs);
  shape = result.shape;
  return result.error == nullptr;
}

// Shifts references to nodes at or after `from` by `delta` in nodes[start..].
void shift_refs(std::vector<Node>& nodes, size_t start, int from, int delta) {
  for (size_t i = start; i < nodes.size(); ++i)
    for (int j = 0; j < instruction(nodes[i].op).inputs; ++j)
      if (nodes[i].inputs[j] >= from) nodes[i].inputs[j] += delta;
}

// Canonicalizes with `output` as the output and checks validity and change.
bool accept(const VariationConfig& config, const Graph& parent, Graph& child, int output) {
  canonicalize(child, output);
  if (!validate(child, config.spec).empty()) return false;
  return !(child == parent);
}

Op draw_op(const VariationConfig& config, Rng& rng) { return config.allowed[rng.index(config.allowed.size())]; }

}  // namespace

std::vector<int> default_channel_choices(const GraphSpec& spec) {
  std::vector<int> choices;
  for (int base : {spec.input.c, spec.output.c})
    for (int value : {base / 4, base / 2, base, 2 * base, 4 * base})
      if (value >= 1 && value <= kMaxChannels) choices.push_back(value);
  std::sort(choices.begin(), choices.end());
  choices.erase(std::unique(choices.begin(), choices.end()), choices.end());
  return choices;
}

std::vector<Op> all_instructions() {
  std::vector<Op> ops;
  for (int op = 1; op < kOpCount; ++op) ops.push_back(static_cast<Op>(op));
  return ops;
}

const char* to_string(Mutation mutation) {
  switch (mutation) {
    case Mutation::kInsert:
      return "insert";
    case Mutation::kRemove:
      return "remove";
    case Mutation::kChangeInstruction:
      return "change_instruction";
    case Mutation::kChangeAttribute:
      return "change_attribute";
    case Mutation::kRewire:
      return "rewire";
  }
  return "?";
}

Graph sample_graph(const VariationConfig& config, Rng& rng) {
  // Room for up to three adapters (two resolution steps and a channel change).
  const int max_body = std::max(1, static_cast<int>(config.spec.max_nodes) - 3);
  for (int attempt = 0; attempt < config.attempts; ++attempt) {
    Graph graph;
    graph.nodes.push_back(Node{});
    graph.shapes.push_back(config.spec.input);
    const int body = static_cast<int>(rng.uniform_int(1, max_body));
    for (int k = 0; k < body; ++k) {
      const int before = static_cast<int>(graph.nodes.size());
      // Redraw a node whose inputs do not fit it a few times before moving on.
      for (int tries = 0; tries < 8; ++tries) {
        Node node;
        node.op = draw_op(config, rng);
        const InstructionDef& def = instruction(node.op);
        for (int j = 0; j < def.inputs; ++j) node.inputs[j] = draw_source(before, rng);
        draw_attrs(config, node.op, rng, node.attrs);
        std::array<Shape, kMaxInputs> in{};
        for (int j = 0; j < def.inputs; ++j) in[j] = graph.shapes[node.inputs[j]];
        const ShapeResult result = def.infer(std::span<const Shape>(in.data(), def.inputs), node.attrs);
        if (result.error) continue;
        graph.nodes.push_back(node);
        graph.shapes.push_back(result.shape);
        break;
      }
    }
    std::vector<Node> chain;
    const int last = static_cast<int>(graph.nodes.size()) - 1;
    if (last < 1 || !adapter_chain(config, graph.shapes.back(), config.spec.output, last, rng, chain)) continue;
    graph.nodes.insert(graph.nodes.end(), chain.begin(), chain.end());
    canonicalize(graph);
    if (validate(graph, config.spec).empty()) return graph;
  }
  throw Error(fmt::format(
      "could not sample a valid operator graph from {} to {} with at most {} instructions in {} "
      "draws; allow pconv/avgpool/maxpool/upsample or raise max_nodes",
      config.spec.input.to_string(), config.spec.output.to_string(), config.spec.max_nodes, config.attempts));
}

bool try_mutation(const VariationConfig& config, const Graph& parent, Mutation kind, Rng& rng, Graph& child) {
  child.nodes = parent.nodes;
  std::vector<Node>& nodes = child.nodes;
  const int n = static_cast<int>(nodes.size());
  switch (kind) {
    case Mutation::kInsert: {
      // An edge source -> consumer (slot j), or the output edge (consumer n).
      const int consumer = static_cast<int>(rng.uniform_int(1, n));
      const int slot = consumer == n ? 0 : static_cast<int>(rng.index(instruction(nodes[consumer].op).inputs));
      const int source = consumer == n ? n - 1 : nodes[consumer].inputs[slot];
      Node inserted;
      inserted.op = draw_op(config, rng);
      draw_attrs(config, inserted.op, rng, inserted.attrs);
      inserted.inputs[0] = source;
      if (instruction(inserted.op).inputs == 2) inserted.inputs[1] = static_cast<int>(rng.index(consumer));
      Shape shape;
      if (!infer_node(parent, inserted, shape)) return false;
      nodes.insert(nodes.begin() + consumer, inserted);
      shift_refs(nodes, consumer + 1, consumer, 1);
      if (consumer < n) nodes[consumer + 1].inputs[slot] = consumer;
      if (!splice_adapters(config, nodes, consumer, shape, parent.shapes[source], rng)) return false;
      return accept(config, parent, child, -1);
    }
    case Mutation::kRemove: {
      if (n < 3) return false;
      const int victim = static_cast<int>(rng.uniform_int(1, n - 1));
      const int arity = instruction(nodes[victim].op).inputs;
      const int replacement = nodes[victim].inputs[rng.index(arity)];
      if (victim == n - 1 && replacement == 0) return false;  // the output must stay an instruction
      for (int i = victim + 1; i < n; ++i)
        for (int j = 0; j < instruction(nodes[i].op).inputs; ++j)
          if (nodes[i].inputs[j] == victim) nodes[i].inputs[j] = replacement;
      nodes.erase(nodes.begin() + victim);
      shift_refs(nodes, victim, victim + 1, -1);
      return accept(config, parent, child, victim == n - 1 ? replacement : -1);
    }
    case Mutation::kChangeInstruction: {
      const int target = static_cast<int>(rng.uniform_int(1, n - 1));
      Node& node = nodes[target];
      node.op = draw_op(config, rng);
      draw_attrs(config, node.op, rng, node.attrs);
      if (instruction(node.op).inputs == 2 && node.inputs[1] < 0) node.inputs[1] = static_cast<int>(rng.index(target));
      if (instruction(node.op).inputs == 1) node.inputs[1] = -1;
      Shape shape;
      if (!infer_node(parent, node, shape)) return false;
      if (!splice_adapters(config, nodes, target, shape, parent.shapes[target], rng)) return false;
      return accept(config, parent, child, -1);
    }
    case Mutation::kChangeAttribute: {
      const int target = static_cast<int>(rng.uniform_int(1, n - 1));
      const InstructionDef& def = instruction(nodes[target].op);
      const size_t searchable = searchable_attrs(config, def);
      if (searchable == 0) return false;
      const size_t a = rng.index(searchable);
      Attrs drawn;
      draw_attrs(config, nodes[target].op, rng, drawn);
      nodes[target].attrs[a] = drawn[a];
      Shape shape;
      if (!infer_node(parent, nodes[target], shape)) return false;
      if (!splice_adapters(config, nodes, target, shape, parent.shapes[target], rng)) return false;
      return accept(config, parent, child, -1);
    }
    case Mutation::kRewire: {
      const int target = static_cast<int>(rng.uniform_int(1, n - 1));
      const int slot = static_cast<int>(rng.index(instruction(nodes[target].op).inputs));
      nodes[target].inputs[slot] = static_cast<int>(rng.index(target));
      return accept(config, parent, child, -1);
    }
  }
  return false;
}

Graph mutate_graph(const VariationConfig& config, const Graph& parent, Rng& rng) {
  Graph child;
  for (int attempt = 0; attempt < config.attempts; ++attempt) {
    const auto kind = static_cast<Mutation>(rng.index(kMutationCount));
    if (try_mutation(config, parent, kind, rng, child)) return child;
  }
  return parent;
}

namespace {

// A child of `into` whose node `at` is replaced by a copy of the subgraph of
// `from` computing node `donor`; false when it exceeds the limits.
bool exchange(const VariationConfig& config, const Graph& into, int at, const Graph& from, int donor, Graph& child) {
  // The donor's cone (its ancestors, without the input), in topological order.
  std::vector<bool> in_cone(from.nodes.size(), false);
  in_cone[donor] = true;
  for (int i = donor; i >= 1; --i)
    if (in_cone[i])
      for (int j = 0; j < instruction(from.nodes[i].op).inputs; ++j) in_cone[from.nodes[i].inputs[j]] = true;
  std::vector<int> new_index(from.nodes.size(), -1);
  new_index[0] = 0;
  child.nodes.assign(into.nodes.begin(), into.nodes.begin() + at + 1);
  for (int i = 1; i <= donor; ++i) {
    if (!in_cone[i]) continue;
    Node node = from.nodes[i];
    for (int j = 0; j < instruction(node.op).inputs; ++j) node.inputs[j] = new_index[node.inputs[j]];
    new_index[i] = static_cast<int>(child.nodes.size());
    child.nodes.push_back(node);
  }
  const int copied = static_cast<int>(child.nodes.size()) - (at + 1);
  const int replacement = new_index[donor];
  for (size_t i = static_cast<size_t>(at) + 1; i < into.nodes.size(); ++i) {
    Node node = into.nodes[i];
    for (int j = 0; j < instruction(node.op).inputs; ++j) {
      if (node.inputs[j] == at)
        node.inputs[j] = replacement;
      else if (node.inputs[j] > at)
        node.inputs[j] += copied;
    }
    child.nodes.push_back(node);
  }
  const bool output_replaced = at == static_cast<int>(into.nodes.size()) - 1;
  canonicalize(child, output_replaced ? replacement : -1);
  return validate(child, config.spec).empty();
}

// Node pairs (i in a, k in b) with equal output shapes, instructions only.
std::vector<std::pair<int, int>> matching_pairs(const Graph& a, const Graph& b) {
  std::vector<std::pair<int, int>> pairs;
  for (size_t i = 1; i < a.nodes.size(); ++i)
    for (size_t k = 1; k < b.nodes.size(); ++k)
      if (a.shapes[i] == b.shapes[k]) pairs.emplace_back(static_cast<int>(i), static_cast<int>(k));
  return pairs;
}

}  // namespace

std::pair<Graph, Graph> crossover_graphs(const VariationConfig& config, const Graph& a, const Graph& b, Rng& rng) {
  // The outputs always match, so there is at least one pair.
  const auto pairs = matching_pairs(a, b);
  Graph first = a;
  Graph second = b;
  Graph child;
  for (int attempt = 0; attempt < config.attempts; ++attempt) {
    const auto [i, k] = pairs[rng.index(pairs.size())];
    if (exchange(config, a, i, b, k, child)) {
      first = child;
      break;
    }
  }
  for (int attempt = 0; attempt < config.attempts; ++attempt) {
    const auto [i, k] = pairs[rng.index(pairs.size())];
    if (exchange(config, b, k, a, i, child)) {
      second = child;
      break;
    }
  }
  return {std::move(first), std::move(second)};
}

}  // namespace gos::graph
