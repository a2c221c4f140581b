#pragma once
// A gym-style cell search space: a network skeleton x a cell (a DAG of `nodes`
// nodes where every earlier node feeds every later one through one edge) x an
// operation set, each composed from the experiment file. A genome chooses one
// operation per edge. NAS-Bench-201 is the instance with 4 nodes (6 edges) and
// the ops none / skip_connect / nor_conv_1x1 / nor_conv_3x3 / avg_pool_3x3 over
// the ResNet-CIFAR skeleton.
//
// The canonical string is the standard NAS-Bench-201 arch string: node groups
// separated by '+', node i listing `op~j` for its inputs j = 0..i-1, e.g.
// |nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "framework/search_space.h"

namespace gos::cell {

// The NAS-Bench-201 operation set, in its standard order.
std::vector<std::string> nb201_operations();

// The macro network a cell is stacked into (ResNet-CIFAR in NAS-Bench-201:
// stem, three stages of `cells_per_stage` cells with residual reduction blocks
// between them doubling the channels, global pooling, linear classifier).
struct SkeletonConfig {
  int64_t channels = 16;         // of the first stage
  int64_t cells_per_stage = 5;
  int64_t classes = 10;
  int64_t image_size = 32;       // input height = width
  int64_t batch = 1;             // batch of the workload built for a genome
};

struct CellSpaceConfig {
  int nodes = 4;                                    // including the input node
  std::vector<std::string> operations = nb201_operations();
  std::string encoding = "one_hot";                 // or "adjacency"
  SkeletonConfig skeleton;
};

// One operation index per edge, edges ordered node by node: (0->1), (0->2),
// (1->2), (0->3), (1->3), (2->3), ...
struct CellGenome : Genome {
  explicit CellGenome(std::vector<uint8_t> edge_ops) : ops(std::move(edge_ops)) {}
  std::vector<uint8_t> ops;
};

// The arch string of a genome with these operations and nodes.
std::string arch_string(const CellGenome& genome, const std::vector<std::string>& operations, int nodes);
// What identifies the model a genome builds: the arch string alone for the
// NAS-Bench-201 CIFAR-10 setting at batch 1 (so devices that answer from
// recorded tables keyed by arch string, such as HW-NAS-Bench's, can answer it),
// otherwise followed by "@C<channels>N<cells>K<classes>x<image size>b<batch>".
std::string workload_key(const CellGenome& genome, const std::vector<std::string>& operations, int nodes,
                         const SkeletonConfig& skeleton);

// Builds a runnable model for a genome; injected so that the space itself
// stays free of LibTorch (see cell_network.h for the LibTorch builder).
using WorkloadFactory =
    std::function<std::unique_ptr<Workload>(const CellGenome&, const std::vector<std::string>& operations,
                                            int nodes, const SkeletonConfig&)>;

// Builds a trainable model for a genome (cell_network.h), likewise injected.
using ModelFactory = std::function<GenomeModel(const CellGenome&, const std::vector<std::string>& operations,
                                               int nodes, const SkeletonConfig&)>;

class CellSpace : public SearchSpace {
 public:
  // Throws gos::Error for fewer than 2 nodes, an empty or repeated operation
  // list, more than 255 operations, or an unknown encoding.
  explicit CellSpace(CellSpaceConfig config, WorkloadFactory workload_factory = nullptr,
                     ModelFactory model_factory = nullptr);

  size_t edges() const { return edges_; }
  const CellSpaceConfig& config() const { return config_; }
  // The number of distinct genomes: operations ^ edges.
  uint64_t size() const;
  // The genome's position in base-`operations` order, first edge most
  // significant: a dense index in [0, size()) for tabular lookups.
  uint64_t code(const CellGenome& genome) const;
  std::shared_ptr<const CellGenome> from_code(uint64_t code) const;
  const CellGenome& cast(const Genome& genome) const;

  GenomePtr sample(Rng& rng) const override;
  std::shared_ptr<const Mutator> default_mutator() const override { return mutator_; }
  // Every genome that differs in exactly one edge, shuffled, first `limit`.
  std::vector<GenomePtr> neighbours(const Genome& genome, Rng& rng, size_t limit) const override;
  bool supports_crossover() const override { return true; }
  // Uniform crossover: each edge's operation comes from either parent.
  std::pair<GenomePtr, GenomePtr> crossover(const Genome& a, const Genome& b, Rng& rng) const override;
  std::vector<double> encode(const Genome& genome) const override;
  std::string serialize(const Genome& genome) const override;
  GenomePtr deserialize(std::string_view text) const override;
  std::string describe() const override;
  std::unique_ptr<Workload> workload(const Genome& genome) const override;
  // The skeleton network with this cell, freshly initialised from a seed
  // derived from the genome's arch string (so a genome always gets the same
  // weights), at batch 1 of 3 x image_size x image_size.
  GenomeModel model(const Genome& genome) const override;
  // The operators of the skeleton network with this cell, in execution order:
  // stem, each cell's non-`none` edge operations, the residual reduction
  // blocks, the classifier head. Keys carry type, channels and resolution
  // (e.g. "nor_conv_3x3-c16-c16-hw32"), so a per-kernel lookup table shares
  // entries between architectures; features are {in channels, out channels,
  // kernel size, stride, input resolution}. FLOPs are 2 x multiply-accumulates.
  // Throws gos::Unsupported when an operation is not a NAS-Bench-201 one.
  std::vector<Kernel> kernels(const Genome& genome) const override;
  // Offers Metric::kParameters and Metric::kFlops (the sum over kernels) when
  // every operation is a NAS-Bench-201 one.
  std::vector<MetricKey> metrics() const override;
  double query(const Genome& genome, const MetricKey& key) const override;

  // Trainable parameters of the skeleton network with this cell, counted
  // from the architecture alone (checked against the LibTorch model in tests).
  int64_t parameters(const CellGenome& genome) const;

  // One-hot of each edge's operation, edges x operations values.
  std::vector<double> one_hot(const CellGenome& genome) const;
  // The cell as a DAG with operations on nodes (input, one node per edge,
  // output): the upper triangle of its adjacency matrix, row by row, followed
  // by the one-hot operation of each edge node. Edges through `none` are
  // absent, so isomorphic wirings give equal adjacency.
  std::vector<double> adjacency(const CellGenome& genome) const;

 private:
  std::string_view edge_op(const CellGenome& genome, size_t edge) const { return config_.operations[genome.ops[edge]]; }
  CellSpaceConfig config_;
  size_t edges_ = 0;
  std::shared_ptr<const Mutator> mutator_;
  WorkloadFactory workload_factory_;
  ModelFactory model_factory_;
};

// Replaces the operation of one uniformly chosen edge by a different one (the
// NAS-Bench-201 mutation used by regularized evolution).
class EdgeOpMutation : public Mutator {
 public:
  GenomePtr mutate(const SearchSpace& space, const Genome& parent, Rng& rng) const override;
};

}  // namespace gos::cell
