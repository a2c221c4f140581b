#include "searchspaces/gos/space.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <set>

#include "framework/bit_widths.h"
#include "searchspaces/gos/runtime.h"
#include "searchspaces/gos/seeds.h"

namespace gos::graph {

GraphSpace::GraphSpace(GraphSpaceConfig config) : config_(std::move(config)) {
  if (config_.allowed.empty()) throw Error("gos_graph: the list of allowed instructions is empty");
  variation_.spec = {config_.input, config_.output, config_.max_nodes};
  variation_.allowed = config_.allowed;
  variation_.channel_choices = default_channel_choices(variation_.spec);
  for (int bits : config_.bits)
    if (!valid_bits(bits))
      throw Error(fmt::format("gos_graph: bit width {} is not valid; valid: {}", bits, kValidBitsText));
  variation_.bit_choices = config_.bits;
  if (!config_.seed_graphs.empty()) {
    seeds_ = config_.seed_graphs;
    for (Graph& seed : seeds_) finalize(seed, variation_.spec);
  } else if (config_.seed != "none") {
    seeds_.push_back(make_seed(config_.seed, variation_.spec));
  } else {
    // Fail at configuration time, not mid-run, when the allowed instructions
    // cannot reach the output shape within max_nodes.
    Rng probe(0);
    sample_graph(variation_, probe);
  }
  mutator_ = std::make_shared<GraphMutator>(variation_);
}

const Graph& GraphSpace::cast(const Genome& genome) {
  const auto* graph = dynamic_cast<const Graph*>(&genome);
  if (!graph) throw std::invalid_argument("genome is not an operator graph");
  return *graph;
}

GenomePtr GraphSpace::sample(Rng& rng) const {
  if (seeds_.empty()) return std::make_shared<Graph>(sample_graph(variation_, rng));
  // One seed draws nothing, so named-seed runs keep their random streams.
  Graph graph = seeds_.size() == 1 ? seeds_[0] : seeds_[rng.index(seeds_.size())];
  for (int64_t step = rng.uniform_int(0, config_.seed_walk); step > 0; --step)
    graph = mutate_graph(variation_, graph, rng);
  return std::make_shared<Graph>(std::move(graph));
}

std::vector<GenomePtr> GraphSpace::neighbours(const Genome& genome, Rng& rng, size_t limit) const {
  const Graph& parent = cast(genome);
  std::set<uint64_t> structures{structural_hash(parent)};
  std::set<uint64_t> functions;
  if (config_.skip_equivalent) functions.insert(functional_fingerprint(parent));
  std::vector<GenomePtr> result;
  // Mutations may repeat; a bounded number of draws keeps this finite.
  for (size_t attempt = 0; result.size() < limit && attempt < 20 * limit; ++attempt) {
    Graph child = mutate_graph(variation_, parent, rng);
    if (!structures.insert(structural_hash(child)).second) continue;
    if (config_.skip_equivalent && !functions.insert(functional_fingerprint(child)).second) continue;
    result.push_back(std::make_shared<Graph>(std::move(child)));
  }
  return result;
}

std::pair<GenomePtr, GenomePtr> GraphSpace::crossover(const Genome& a, const Genome& b, Rng& rng) const {
  auto [first, second] = crossover_graphs(variation_, cast(a), cast(b), rng);
  return {std::make_shared<Graph>(std::move(first)), std::make_shared<Graph>(std::move(second))};
}

std::vector<double> GraphSpace::encode(const Genome& genome) const {
  // An instruction histogram, then per node slot: instruction, the two input
  // slots (+1, so 0 means none), output channels and height relative to the
  // output's. Empty slots stay 0.
  const Graph& graph = cast(genome);
  constexpr size_t kPerSlot = 5;
  std::vector<double> features(kOpCount - 1 + kPerSlot * config_.max_nodes, 0.0);
  for (size_t i = 1; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    features[static_cast<size_t>(node.op) - 1] += 1;
    double* slot = &features[kOpCount - 1 + kPerSlot * (i - 1)];
    slot[0] = static_cast<double>(node.op);
    slot[1] = node.inputs[0] + 1;
    slot[2] = node.inputs[1] + 1;
    slot[3] = static_cast<double>(graph.shapes[i].c) / config_.output.c;
    slot[4] = static_cast<double>(graph.shapes[i].h) / config_.output.h;
  }
  return features;
}

std::optional<EquivalenceKey> GraphSpace::equivalence_key(const Genome& genome) const {
  if (!config_.equivalence_cache) return std::nullopt;
  std::vector<std::string> keys;
  for (const Kernel& kernel : kernels(genome))
    if (kernel.type != "identity") keys.push_back(kernel.key);
  std::sort(keys.begin(), keys.end());
  return EquivalenceKey{fmt::format("{}", fmt::join(keys, ";")),
                        [graph = cast(genome)] { return fmt::format("{:016x}", functional_fingerprint(graph)); }};
}

std::string GraphSpace::serialize(const Genome& genome) const { return graph::serialize(cast(genome)); }

GenomePtr GraphSpace::deserialize(std::string_view text) const {
  return std::make_shared<Graph>(parse(text, variation_.spec));
}

std::string GraphSpace::describe() const {
  return fmt::format(
      "GOS operator graphs: DAGs of up to {} instructions ({} allowed) from an input {} to an output {}, replacing "
      "one operator; {}{}. Metrics: parameters, flops, bitops, model_bits. Canonical genome: "
      "in:CxHxW;n1=op[attr=v,...](n0);...;out:nK.",
      config_.max_nodes, config_.allowed.size(), config_.input.to_string(), config_.output.to_string(),
      config_.bits.empty() ? ""
                           : fmt::format("; weighted instructions at widths {{{}}}", fmt::join(config_.bits, ", ")),
      !seeds_.empty() ? fmt::format("sampling walks up to {} mutations from the seed '{}'{}", config_.seed_walk,
                                    config_.seed_graphs.empty() ? config_.seed : graph::serialize(seeds_[0]),
                                    seeds_.size() > 1 ? fmt::format(" or {} rewrites of it", seeds_.size() - 1) : "")
                      : std::string("sampling builds graphs from scratch"));
}

std::vector<MetricKey> GraphSpace::metrics() const {
  return {{Metric::kParameters, ""}, {Metric::kFlops, ""}, {Metric::kBitOps, ""}, {Metric::kModelBits, ""}};
}

double GraphSpace::query(const Genome& genome, const MetricKey& key) const {
  const Graph& graph = cast(genome);
  if (key == MetricKey{Metric::kParameters, ""}) return static_cast<double>(count_params(graph));
  if (key == MetricKey{Metric::kFlops, ""}) return static_cast<double>(count_flops(graph));
  if (key == MetricKey{Metric::kBitOps, ""}) return count_bitops(graph);
  if (key == MetricKey{Metric::kModelBits, ""}) return static_cast<double>(count_model_bits(graph));
  return SearchSpace::query(genome, key);
}

std::vector<Kernel> GraphSpace::kernels(const Genome& genome) const {
  const Graph& graph = cast(genome);
  std::vector<Kernel> kernels;
  for (size_t i = 1; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    const InstructionDef& def = instruction(node.op);
    Kernel kernel;
    kernel.type = def.name;
    std::string inputs = graph.shapes[node.inputs[0]].to_string();
    if (def.inputs == 2) inputs += "," + graph.shapes[node.inputs[1]].to_string();
    kernel.key = fmt::format("{}:{}->{}", describe_node(graph, i), inputs, graph.shapes[i].to_string());
    kernel.flops = static_cast<double>(node_flops(graph, i));
    kernel.params = static_cast<double>(node_params(graph, i));
    const Shape& in = graph.shapes[node.inputs[0]];
    const Shape& out = graph.shapes[i];
    kernel.features = {static_cast<double>(in.c),
                       static_cast<double>(in.h),
                       static_cast<double>(in.w),
                       static_cast<double>(out.c),
                       static_cast<double>(out.h),
                       static_cast<double>(out.w),
                       kernel.flops,
                       kernel.params};
    // Absent optional attributes at the end add no feature: predictors fitted
    // before they existed keep their layout. One before a present one (conv's
    // b before kw) is its absent value, so that each feature keeps its place.
    size_t last = def.attrs.size();
    while (last > 0 && def.attrs[last - 1].optional && node.attrs[last - 1] == 0) --last;
    for (size_t a = 0; a < last; ++a)
      kernel.features.push_back(node.attrs[a] != 0 || !def.attrs[a].optional ? node.attrs[a]
                                                                             : def.attrs[a].absent_value);
    kernels.push_back(std::move(kernel));
  }
  return kernels;
}

std::unique_ptr<Workload> GraphSpace::workload(const Genome& genome) const {
  const Graph& graph = cast(genome);
  return make_graph_workload(graph, config_.batch, graph::serialize(graph));
}

namespace {

Shape parse_shape(std::string_view text, const std::string& key) {
  Shape shape;
  int* dims[3] = {&shape.c, &shape.h, &shape.w};
  const char* p = text.data();
  const char* const end = p + text.size();
  bool ok = true;
  for (int d = 0; d < 3 && ok; ++d) {
    if (d > 0) ok = p != end && *p++ == 'x';
    if (!ok) break;
    const auto [next, ec] = std::from_chars(p, end, *dims[d]);
    ok = ec == std::errc() && *dims[d] >= 1;
    p = next;
  }
  if (!ok || p != end)
    throw Error(fmt::format("gos_graph kernel '{}': '{}' is not a shape CxHxW of positive integers", key, text));
  return shape;
}

}  // namespace

std::unique_ptr<Workload> GraphSpace::kernel_workload(const Kernel& kernel) const {
  // The key is kernels()'s "<node>:<input>[,<input>]-><output>".
  const std::string& key = kernel.key;
  const size_t colon = key.find(':');
  const size_t arrow = key.find("->");
  if (colon == std::string::npos || arrow == std::string::npos || arrow < colon)
    throw Error(fmt::format("gos_graph kernel '{}' is not of the form instruction[attrs]:CxHxW[,CxHxW]->CxHxW", key));
  const std::string node = key.substr(0, colon);
  const std::string_view inputs = std::string_view(key).substr(colon + 1, arrow - colon - 1);
  const size_t comma = inputs.find(',');
  const Shape first = parse_shape(inputs.substr(0, comma), key);
  const std::optional<Shape> second =
      comma == std::string_view::npos ? std::nullopt : std::optional(parse_shape(inputs.substr(comma + 1), key));
  const Shape output = parse_shape(std::string_view(key).substr(arrow + 2), key);
  // The parser checks the instruction, its attributes and its arity; both
  // inputs are node 0 here, the real second shape is checked below.
  Graph graph;
  try {
    graph = parse(fmt::format("in:{};n1={}(n0{});out:n1", first.to_string(), node, second ? ",n0" : ""),
                  GraphSpec{first, kAnyShape, 1});
  } catch (const Error& e) {
    throw Error(fmt::format("gos_graph kernel '{}': {}", key, e.what()));
  }
  const InstructionDef& def = instruction(graph.nodes[1].op);
  std::vector<Shape> in{first};
  if (second) in.push_back(*second);
  const ShapeResult result = def.infer(in, graph.nodes[1].attrs);
  if (result.error)
    throw Error(fmt::format("gos_graph kernel '{}': the input shapes do not fit {}: {}", key, def.name, result.error));
  if (!(result.shape == output))
    throw Error(fmt::format("gos_graph kernel '{}': {} gives {}, not the output shape {} the key names", key, def.name,
                            result.shape.to_string(), output.to_string()));
  graph.shapes[1] = output;
  return make_kernel_workload(graph, second.value_or(first), config_.batch, key);
}

GenomePtr GraphMutator::mutate(const SearchSpace&, const Genome& parent, Rng& rng) const {
  return std::make_shared<Graph>(mutate_graph(config_, GraphSpace::cast(parent), rng));
}

}  // namespace gos::graph
