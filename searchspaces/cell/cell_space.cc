#include "searchspaces/cell/cell_space.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "framework/text.h"

namespace gos::cell {
namespace {

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t end; (end = text.find(separator, start)) != std::string_view::npos; start = end + 1)
    parts.emplace_back(text.substr(start, end - start));
  parts.emplace_back(text.substr(start));
  return parts;
}

}  // namespace

std::vector<std::string> nb201_operations() {
  return {"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"};
}

CellSpace::CellSpace(CellSpaceConfig config, WorkloadFactory workload_factory, ModelFactory model_factory)
    : config_(std::move(config)),
      workload_factory_(std::move(workload_factory)),
      model_factory_(std::move(model_factory)) {
  if (config_.nodes < 2) throw Error(fmt::format("a cell needs at least 2 nodes, got {}", config_.nodes));
  if (config_.operations.empty()) throw Error("a cell space needs at least one operation");
  // Genomes store operation indices in one byte.
  if (config_.operations.size() > 255)
    throw Error(fmt::format("a cell space allows at most 255 operations, got {}", config_.operations.size()));
  const std::set<std::string> unique(config_.operations.begin(), config_.operations.end());
  if (unique.size() != config_.operations.size())
    throw Error(fmt::format("the operation list [{}] repeats an operation", join(config_.operations, ", ")));
  for (const std::string& op : config_.operations)
    if (op.empty() || op.find_first_of("|~+") != std::string::npos)
      throw Error(fmt::format("operation name '{}' is empty or contains one of | ~ +", op));
  if (config_.encoding != "one_hot" && config_.encoding != "adjacency")
    throw Error(fmt::format("unknown encoding '{}'; valid: one_hot, adjacency", config_.encoding));
  edges_ = static_cast<size_t>(config_.nodes) * static_cast<size_t>(config_.nodes - 1) / 2;
  if (size() == 0) throw Error(fmt::format("{} operations on {} edges overflow a 64-bit genome index",
                                           config_.operations.size(), edges_));
  mutator_ = std::make_shared<EdgeOpMutation>();
}

uint64_t CellSpace::size() const {
  uint64_t total = 1;
  const uint64_t ops = config_.operations.size();
  for (size_t e = 0; e < edges_; ++e) {
    if (total > UINT64_MAX / ops) return 0;
    total *= ops;
  }
  return total;
}

uint64_t CellSpace::code(const CellGenome& genome) const {
  uint64_t value = 0;
  for (uint8_t op : genome.ops) value = value * config_.operations.size() + op;
  return value;
}

std::shared_ptr<const CellGenome> CellSpace::from_code(uint64_t code) const {
  std::vector<uint8_t> ops(edges_);
  for (size_t e = edges_; e-- > 0;) {
    ops[e] = static_cast<uint8_t>(code % config_.operations.size());
    code /= config_.operations.size();
  }
  return std::make_shared<CellGenome>(std::move(ops));
}

const CellGenome& CellSpace::cast(const Genome& genome) const {
  const auto* cell = dynamic_cast<const CellGenome*>(&genome);
  if (!cell || cell->ops.size() != edges_) throw std::invalid_argument("genome does not belong to this cell space");
  return *cell;
}

GenomePtr CellSpace::sample(Rng& rng) const {
  std::vector<uint8_t> ops(edges_);
  for (uint8_t& op : ops) op = static_cast<uint8_t>(rng.index(config_.operations.size()));
  return std::make_shared<CellGenome>(std::move(ops));
}

std::vector<GenomePtr> CellSpace::neighbours(const Genome& genome, Rng& rng, size_t limit) const {
  const CellGenome& cell = cast(genome);
  std::vector<GenomePtr> result;
  for (size_t e = 0; e < edges_; ++e)
    for (size_t op = 0; op < config_.operations.size(); ++op) {
      if (op == cell.ops[e]) continue;
      std::vector<uint8_t> ops = cell.ops;
      ops[e] = static_cast<uint8_t>(op);
      result.push_back(std::make_shared<CellGenome>(std::move(ops)));
    }
  rng.shuffle(std::span<GenomePtr>(result));
  if (result.size() > limit) result.resize(limit);
  return result;
}

std::pair<GenomePtr, GenomePtr> CellSpace::crossover(const Genome& a, const Genome& b, Rng& rng) const {
  std::vector<uint8_t> first = cast(a).ops, second = cast(b).ops;
  for (size_t e = 0; e < edges_; ++e)
    if (rng.bernoulli(0.5)) std::swap(first[e], second[e]);
  return {std::make_shared<CellGenome>(std::move(first)), std::make_shared<CellGenome>(std::move(second))};
}

std::vector<double> CellSpace::one_hot(const CellGenome& genome) const {
  std::vector<double> values(edges_ * config_.operations.size(), 0.0);
  for (size_t e = 0; e < edges_; ++e) values[e * config_.operations.size() + genome.ops[e]] = 1.0;
  return values;
}

std::vector<double> CellSpace::adjacency(const CellGenome& genome) const {
  // DAG nodes: 0 = cell input, 1..edges = one per edge, edges + 1 = cell output.
  const size_t count = edges_ + 2;
  std::vector<std::vector<double>> matrix(count, std::vector<double>(count, 0.0));
  std::vector<std::pair<int, int>> ends;  // (from, to) cell node of each edge
  for (int to = 1; to < config_.nodes; ++to)
    for (int from = 0; from < to; ++from) ends.emplace_back(from, to);
  const auto is_none = [&](size_t e) { return edge_op(genome, e) == "none"; };
  for (size_t e = 0; e < edges_; ++e) {
    if (is_none(e)) continue;
    const auto [from, to] = ends[e];
    if (from == 0) matrix[0][e + 1] = 1.0;
    for (size_t before = 0; before < edges_; ++before)
      if (ends[before].second == from && !is_none(before)) matrix[before + 1][e + 1] = 1.0;
    if (to == config_.nodes - 1) matrix[e + 1][count - 1] = 1.0;
  }
  std::vector<double> values;
  for (size_t row = 0; row < count; ++row)
    for (size_t column = row + 1; column < count; ++column) values.push_back(matrix[row][column]);
  const std::vector<double> ops = one_hot(genome);
  values.insert(values.end(), ops.begin(), ops.end());
  return values;
}

std::vector<double> CellSpace::encode(const Genome& genome) const {
  const CellGenome& cell = cast(genome);
  return config_.encoding == "adjacency" ? adjacency(cell) : one_hot(cell);
}

std::string arch_string(const CellGenome& genome, const std::vector<std::string>& operations, int nodes) {
  std::string text;
  size_t edge = 0;
  for (int to = 1; to < nodes; ++to) {
    if (to > 1) text += '+';
    text += '|';
    for (int from = 0; from < to; ++from) text += fmt::format("{}~{}|", operations[genome.ops[edge++]], from);
  }
  return text;
}

std::string workload_key(const CellGenome& genome, const std::vector<std::string>& operations, int nodes,
                         const SkeletonConfig& skeleton) {
  std::string key = arch_string(genome, operations, nodes);
  const SkeletonConfig nb201_cifar10;
  if (skeleton.channels != nb201_cifar10.channels || skeleton.cells_per_stage != nb201_cifar10.cells_per_stage ||
      skeleton.classes != nb201_cifar10.classes || skeleton.image_size != nb201_cifar10.image_size ||
      skeleton.batch != nb201_cifar10.batch)
    key += fmt::format("@C{}N{}K{}x{}b{}", skeleton.channels, skeleton.cells_per_stage, skeleton.classes,
                       skeleton.image_size, skeleton.batch);
  return key;
}

std::string CellSpace::serialize(const Genome& genome) const {
  return arch_string(cast(genome), config_.operations, config_.nodes);
}

GenomePtr CellSpace::deserialize(std::string_view text) const {
  const std::string shape = fmt::format("a cell with {} nodes is written as {} '+'-separated groups, group i "
                                        "being |op~0|...|op~(i-1)|",
                                        config_.nodes, config_.nodes - 1);
  const std::vector<std::string> groups = split(text, '+');
  if (groups.size() != static_cast<size_t>(config_.nodes - 1))
    throw Error(fmt::format("arch string '{}' has {} node groups; {}", text, groups.size(), shape));
  std::vector<uint8_t> ops;
  for (size_t node = 1; node <= groups.size(); ++node) {
    const std::string& group = groups[node - 1];
    if (group.size() < 2 || group.front() != '|' || group.back() != '|')
      throw Error(fmt::format("arch string '{}': node {} group '{}' must start and end with '|'; {}", text, node,
                              group, shape));
    const std::vector<std::string> entries = split(std::string_view(group).substr(1, group.size() - 2), '|');
    if (entries.size() != node)
      throw Error(fmt::format("arch string '{}': node {} has {} inputs, needs {}; {}", text, node, entries.size(),
                              node, shape));
    for (size_t from = 0; from < node; ++from) {
      const std::string& entry = entries[from];
      const size_t tilde = entry.rfind('~');
      if (tilde == std::string::npos || entry.substr(tilde + 1) != std::to_string(from))
        throw Error(fmt::format("arch string '{}': entry '{}' of node {} must be op~{}", text, entry, node, from));
      const std::string op = entry.substr(0, tilde);
      const auto it = std::find(config_.operations.begin(), config_.operations.end(), op);
      if (it == config_.operations.end())
        throw Error(fmt::format("arch string '{}': unknown operation '{}'{}; valid: {}", text, op,
                                did_you_mean(op, config_.operations), join(config_.operations, ", ")));
      ops.push_back(static_cast<uint8_t>(it - config_.operations.begin()));
    }
  }
  return std::make_shared<CellGenome>(std::move(ops));
}

std::string CellSpace::describe() const {
  const SkeletonConfig& s = config_.skeleton;
  return fmt::format(
      "cell space: {} nodes, {} edges, each one of {{{}}} ({} genomes); arch strings |op~0|+|op~0|op~1|+...; "
      "{} encoding ({} values); ResNet-CIFAR skeleton with {} channels, {} cells per stage, {} classes",
      config_.nodes, edges_, join(config_.operations, ", "), size(), config_.encoding,
      config_.encoding == "adjacency" ? (edges_ + 2) * (edges_ + 1) / 2 + edges_ * config_.operations.size()
                                      : edges_ * config_.operations.size(),
      s.channels, s.cells_per_stage, s.classes);
}

std::unique_ptr<Workload> CellSpace::workload(const Genome& genome) const {
  if (!workload_factory_) return SearchSpace::workload(genome);
  return workload_factory_(cast(genome), config_.operations, config_.nodes, config_.skeleton);
}

GenomeModel CellSpace::model(const Genome& genome) const {
  if (!model_factory_) return SearchSpace::model(genome);
  return model_factory_(cast(genome), config_.operations, config_.nodes, config_.skeleton);
}

namespace {
bool all_nb201(const std::vector<std::string>& operations) {
  const std::vector<std::string> known = nb201_operations();
  return std::all_of(operations.begin(), operations.end(),
                     [&](const std::string& op) { return std::find(known.begin(), known.end(), op) != known.end(); });
}
}  // namespace

std::vector<MetricKey> CellSpace::metrics() const {
  if (!all_nb201(config_.operations)) return {};
  return {MetricKey{Metric::kParameters, ""}, MetricKey{Metric::kFlops, ""}};
}

double CellSpace::query(const Genome& genome, const MetricKey& key) const {
  if (all_nb201(config_.operations)) {
    if (key == MetricKey{Metric::kParameters, ""}) return static_cast<double>(parameters(cast(genome)));
    if (key == MetricKey{Metric::kFlops, ""}) {
      double flops = 0;
      for (const Kernel& kernel : kernels(genome)) flops += kernel.flops;
      return flops;
    }
  }
  return SearchSpace::query(genome, key);
}

std::vector<Kernel> CellSpace::kernels(const Genome& genome) const {
  if (!all_nb201(config_.operations))
    throw Unsupported(fmt::format("kernels are defined for the NAS-Bench-201 operations ({}), not for [{}]",
                                  join(nb201_operations(), ", "), join(config_.operations, ", ")));
  const CellGenome& cell = cast(genome);
  const SkeletonConfig& s = config_.skeleton;
  std::vector<Kernel> result;
  // A convolution (+ batch norm) of `in` -> `out` channels producing `size` x `size` outputs.
  const auto conv = [&](std::string type, int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t size,
                        int64_t input_size) {
    const double macs = static_cast<double>(in * out * kernel * kernel * size * size);
    result.push_back(Kernel{type, fmt::format("{}-c{}-c{}-hw{}", type, in, out, input_size), 2 * macs,
                            static_cast<double>(in * out * kernel * kernel + 2 * out),
                            {double(in), double(out), double(kernel), double(stride), double(input_size)}});
  };
  int64_t channels = s.channels, size = s.image_size;
  conv("stem_conv_3x3", 3, channels, 3, 1, size, size);
  for (int stage = 0; stage < 3; ++stage) {
    if (stage > 0) {
      const int64_t out = 2 * channels, half = (size + 1) / 2;
      const double macs = static_cast<double>(channels * out * 9 * half * half + out * out * 9 * half * half +
                                              channels * out * (size / 2) * (size / 2));
      result.push_back(Kernel{"residual_reduction", fmt::format("residual_reduction-c{}-c{}-hw{}", channels, out, size),
                              2 * macs, static_cast<double>(9 * channels * out + 2 * out + 9 * out * out + 2 * out + channels * out),
                              {double(channels), double(out), 3.0, 2.0, double(size)}});
      channels = out;
      size = half;
    }
    for (int64_t i = 0; i < s.cells_per_stage; ++i)
      for (size_t e = 0; e < edges_; ++e) {
        const std::string op(edge_op(cell, e));
        if (op == "nor_conv_1x1") conv(op, channels, channels, 1, 1, size, size);
        if (op == "nor_conv_3x3") conv(op, channels, channels, 3, 1, size, size);
        if (op == "avg_pool_3x3")
          result.push_back(Kernel{op, fmt::format("{}-c{}-hw{}", op, channels, size),
                                  static_cast<double>(9 * channels * size * size), 0.0,
                                  {double(channels), double(channels), 3.0, 1.0, double(size)}});
        if (op == "skip_connect")
          result.push_back(Kernel{op, fmt::format("{}-c{}-hw{}", op, channels, size), 0.0, 0.0,
                                  {double(channels), double(channels), 1.0, 1.0, double(size)}});
      }
  }
  // Final batch norm, global pooling and the classifier.
  result.push_back(Kernel{"head", fmt::format("head-c{}-hw{}-k{}", channels, size, s.classes),
                          static_cast<double>(2 * channels * s.classes),
                          static_cast<double>(2 * channels + channels * s.classes + s.classes),
                          {double(channels), double(s.classes), 1.0, 1.0, double(size)}});
  return result;
}

int64_t CellSpace::parameters(const CellGenome& genome) const {
  const SkeletonConfig& s = config_.skeleton;
  const auto conv_bn = [](int64_t in, int64_t out, int64_t kernel) { return in * out * kernel * kernel + 2 * out; };
  int64_t channels = s.channels;
  int64_t total = conv_bn(3, channels, 3);  // stem
  for (int stage = 0; stage < 3; ++stage) {
    if (stage > 0) {
      // Residual reduction: two 3x3 ReLU-Conv-BN plus a 1x1 shortcut convolution without BN.
      total += conv_bn(channels, 2 * channels, 3) + conv_bn(2 * channels, 2 * channels, 3) + channels * 2 * channels;
      channels *= 2;
    }
    int64_t cell = 0;
    for (size_t e = 0; e < edges_; ++e) {
      const std::string_view op = edge_op(genome, e);
      if (op == "nor_conv_1x1") cell += conv_bn(channels, channels, 1);
      if (op == "nor_conv_3x3") cell += conv_bn(channels, channels, 3);
    }
    total += s.cells_per_stage * cell;
  }
  return total + 2 * channels + channels * s.classes + s.classes;  // final BN and classifier
}

GenomePtr EdgeOpMutation::mutate(const SearchSpace& space, const Genome& parent, Rng& rng) const {
  const auto* cells = dynamic_cast<const CellSpace*>(&space);
  if (!cells) throw Error("the edge-operation mutation needs a cell search space");
  std::vector<uint8_t> ops = cells->cast(parent).ops;
  const size_t choices = cells->config().operations.size();
  if (choices < 2) return std::make_shared<CellGenome>(std::move(ops));
  const size_t edge = rng.index(ops.size());
  // Draw among the other operations only, so every mutation changes the genome.
  const size_t shift = 1 + rng.index(choices - 1);
  ops[edge] = static_cast<uint8_t>((ops[edge] + shift) % choices);
  return std::make_shared<CellGenome>(std::move(ops));
}

}  // namespace gos::cell
