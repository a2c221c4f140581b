#pragma once
// The `gos_graph` search space: operators as instruction graphs that replace
// one operator of a network, keeping its input and output shapes.
#include <memory>
#include <string>
#include <vector>

#include "framework/search_space.h"
#include "searchspaces/gos/graph.h"
#include "searchspaces/gos/variation.h"

namespace gos::graph {

struct GraphSpaceConfig {
  Shape input{16, 32, 32};
  Shape output{16, 32, 32};
  size_t max_nodes = 24;
  // "none": sample() builds graphs from scratch; otherwise a seed name
  // (seeds.h) and sample() returns the seed after 0..seed_walk mutations.
  std::string seed = "none";
  // Seeds given as graphs (the operator a search replaces and rewrites of
  // it, adapt/seed.h); take the place of a named seed. sample() walks from
  // one of them, drawn uniformly. Each must fit input, output and max_nodes.
  std::vector<Graph> seed_graphs;
  int seed_walk = 4;
  // Widths the `b` attribute of conv, pconv and dwconv is drawn from (32 =
  // full precision), so that a search chooses precision with structure.
  // Empty: every node stays full precision (and `b` is never drawn).
  std::vector<int> bits;
  std::vector<Op> allowed = all_instructions();
  int batch = 1;  // batch size of workload()
  // neighbours() skips candidates that compute the same function as the
  // genome or an earlier neighbour (functional fingerprint, runtime.h).
  bool skip_equivalent = true;
  // equivalence_key() offers the runner's cache a key, so graphs that
  // compute the same function with the same operators share one evaluation.
  bool equivalence_cache = true;
};

class GraphSpace : public SearchSpace {
 public:
  // Throws gos::Error when the seed is unknown or does not fit the shapes, or
  // (without a seed) when no valid graph can be sampled.
  explicit GraphSpace(GraphSpaceConfig config);

  GenomePtr sample(Rng& rng) const override;
  std::shared_ptr<const Mutator> default_mutator() const override { return mutator_; }
  std::vector<GenomePtr> neighbours(const Genome& genome, Rng& rng, size_t limit) const override;
  bool supports_crossover() const override { return true; }
  std::pair<GenomePtr, GenomePtr> crossover(const Genome& a, const Genome& b, Rng& rng) const override;
  // Bucket: the sorted kernel keys (instruction, attributes, shapes) without
  // the identities, which run nothing; equal buckets mean equal parameters,
  // FLOPs and per-operator latency. Exact: the functional fingerprint
  // (runtime.h), a run of the graph on a probe input, computed by the cache
  // only for graphs whose bucket another evaluation already has.
  std::optional<EquivalenceKey> equivalence_key(const Genome& genome) const override;
  std::vector<double> encode(const Genome& genome) const override;
  std::string serialize(const Genome& genome) const override;
  GenomePtr deserialize(std::string_view text) const override;
  std::string describe() const override;
  std::vector<MetricKey> metrics() const override;
  double query(const Genome& genome, const MetricKey& key) const override;
  std::vector<Kernel> kernels(const Genome& genome) const override;
  std::unique_ptr<Workload> workload(const Genome& genome) const override;
  // The instruction a kernel key names ("conv[k=3,...]:16x32x32->32x32x32",
  // "concat:16x8x8,8x8x8->24x8x8") run alone at those shapes. Throws
  // gos::Error naming the key when it does not parse, names an illegal
  // attribute, or its shapes do not fit the instruction.
  std::unique_ptr<Workload> kernel_workload(const Kernel& kernel) const override;

  const GraphSpaceConfig& config() const { return config_; }
  const VariationConfig& variation() const { return variation_; }
  static const Graph& cast(const Genome& genome);

 private:
  GraphSpaceConfig config_;
  VariationConfig variation_;
  std::vector<Graph> seeds_;  // empty: sample from scratch
  std::shared_ptr<const Mutator> mutator_;
};

// The space's default mutation: one of insert / remove / change instruction /
// change attribute / rewire, drawn uniformly, redrawn until valid.
class GraphMutator : public Mutator {
 public:
  explicit GraphMutator(VariationConfig config) : config_(std::move(config)) {}
  GenomePtr mutate(const SearchSpace& space, const Genome& parent, Rng& rng) const override;

 private:
  VariationConfig config_;
};

}  // namespace gos::graph
