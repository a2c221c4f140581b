#pragma once
// A search space: the set of candidates a strategy explores. One interface
// serves live spaces (instruction graphs, elastic networks) and tabular ones
// (NAS-Bench-201), in the manner of NASLib.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "framework/component.h"
#include "framework/device.h"
#include "framework/error.h"
#include "framework/genome.h"
#include "framework/metric.h"
#include "framework/mutator.h"
#include "framework/params.h"
#include "framework/rng.h"

namespace gos {

// One operator of a model, as a per-operator latency model sees it (nn-Meter's
// "kernel"): a type, a key that identifies type + shapes + attributes, and
// features for learned predictors.
class TorchModel;  // torchlib/torch_model.h; the framework never includes LibTorch

// A trainable LibTorch model built for a genome, with the input it expects:
// what zero-cost proxies, trainers and exporters work on.
struct GenomeModel {
  std::shared_ptr<TorchModel> module;  // freshly initialised (seeded by the genome)
  std::vector<int64_t> input;          // one example batch, NCHW at batch 1
  int64_t classes = 0;                 // output classes; 0 when the model is not a classifier
};

struct Kernel {
  std::string type;
  std::string key;
  double flops = 0;
  double params = 0;
  std::vector<double> features;
};

// What lets the runner's cache reuse one evaluation for two genomes whose
// canonical strings differ: equal keys promise that every objective
// evaluates them alike (operator graphs computing the same function with the
// same operators). `bucket` is cheap and necessary: genomes of different
// buckets are never equivalent. `exact` distinguishes the members of a
// bucket and may be costly, so it is called only once a bucket has a second
// member; it must not refer to the genome it was made from (copy what it needs).
struct EquivalenceKey {
  std::string bucket;
  std::function<std::string()> exact;
};

class SearchSpace : public Component {
 public:
  // A uniformly random valid genome (uniform over the space's own encoding).
  virtual GenomePtr sample(Rng& rng) const = 0;
  // The space's standard mutation operator.
  virtual std::shared_ptr<const Mutator> default_mutator() const = 0;
  // Up to `limit` distinct valid genomes one step from `genome`, in a
  // deterministic order for a given rng state. The default draws mutations.
  virtual std::vector<GenomePtr> neighbours(const Genome& genome, Rng& rng, size_t limit) const;
  // Two children made by recombining two parents; throws Unsupported where
  // supports_crossover() is false.
  virtual bool supports_crossover() const { return false; }
  virtual std::pair<GenomePtr, GenomePtr> crossover(const Genome& a, const Genome& b, Rng& rng) const;

  // The genome's equivalence key beside its canonical string, for spaces
  // that know when different genomes are evaluated alike; none by default.
  virtual std::optional<EquivalenceKey> equivalence_key(const Genome& genome) const {
    (void)genome;
    return std::nullopt;
  }

  // A fixed-length numeric encoding (for predictors and surrogate models).
  virtual std::vector<double> encode(const Genome& genome) const = 0;
  // The canonical text of a genome: equal genomes give equal strings, and
  // deserialize(serialize(g)) gives g back exactly.
  virtual std::string serialize(const Genome& genome) const = 0;
  // Parses a canonical string; throws gos::Error naming what is malformed.
  virtual GenomePtr deserialize(std::string_view text) const = 0;
  // One paragraph about the space: what a genome is, its size, its metrics.
  virtual std::string describe() const = 0;

  // Metrics the space answers without an external model (tabular lookups,
  // test functions, parameter counts).
  virtual std::vector<MetricKey> metrics() const { return {}; }
  virtual double query(const Genome& genome, const MetricKey& key) const;
  // Points of the true Pareto front in the order of the space's function
  // metrics (minimisation), when the space is a test problem that knows it;
  // empty otherwise. Used for IGD.
  virtual std::vector<std::vector<double>> known_front(size_t points) const {
    (void)points;
    return {};
  }
  // The operators of the model a genome stands for (for lookup-table latency).
  virtual std::vector<Kernel> kernels(const Genome& genome) const;
  // A runnable model for a genome (for measuring latency on a device).
  virtual std::unique_ptr<Workload> workload(const Genome& genome) const;
  // A runnable model of one kernel alone, at the shapes its key names (for
  // profiling operators into a lookup table).
  virtual std::unique_ptr<Workload> kernel_workload(const Kernel& kernel) const;
  // A trainable model for a genome (for zero-cost proxies and training).
  // Spaces without one throw gos::Unsupported.
  virtual GenomeModel model(const Genome& genome) const;

  // The plugin and validated table the space was created from, set by whoever
  // created it from a configuration; what lets its workloads describe
  // themselves as data (framework/workload_spec.h). Empty for spaces built in code.
  void set_origin(ComponentConfig origin) { origin_ = std::move(origin); }
  const std::optional<ComponentConfig>& origin() const { return origin_; }

 private:
  std::optional<ComponentConfig> origin_;
};

}  // namespace gos
