#pragma once
// Whole zoo models with instruction-graph replacements, as a search space
// that only describes: a genome is "this zoo model with these slots replaced
// by these graphs", so that a device on another machine (an agent on a board)
// can rebuild the exact model that `gos adapt` times and measure it there.
// Weights are not part of it (latency does not depend on them). It is not a
// space to search: sample() gives the unmodified model and mutation throws.
//
// Genome text: "" for the model as built, else "slot@graph|slot@graph|...",
// each graph in the canonical text of searchspaces/gos (which uses neither
// '@' nor '|'), slots in execution order.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "framework/search_space.h"

namespace gos {

class SlottedModel;

struct ZooModelSpaceConfig {
  std::string model = "resnet18";  // a name of make_zoo_model
  double width = 1.0;
  int64_t classes = 10;
  int64_t in_channels = 3;
  bool cifar_stem = true;
  int64_t max_nodes = 64;  // node limit when reading a replacement graph
};

struct ZooModelGenome : Genome {
  std::vector<std::pair<std::string, std::string>> replacements;  // slot path, canonical graph
};

class ZooModelSpace : public SearchSpace {
 public:
  explicit ZooModelSpace(ZooModelSpaceConfig config);

  GenomePtr sample(Rng& rng) const override;
  std::shared_ptr<const Mutator> default_mutator() const override;
  std::vector<double> encode(const Genome& genome) const override;
  std::string serialize(const Genome& genome) const override;
  // Checks every slot path against the model and every graph against its
  // slot's shapes; throws gos::Error naming the replacement otherwise.
  GenomePtr deserialize(std::string_view text) const override;
  std::string describe() const override;
  std::unique_ptr<Workload> workload(const Genome& genome) const override;

 private:
  ZooModelSpaceConfig config_;
};

// The model of `genome`: a fresh zoo model (untrained weights) with each
// replacement parsed against its slot's shapes and spliced in; throws
// gos::Error naming the slot when one does not fit.
std::shared_ptr<SlottedModel> rebuild_zoo_model(const ZooModelSpaceConfig& config, const ZooModelGenome& genome);

// The genome of `model` as it is now: its slots that hold an instruction
// graph (a spliced GraphModule), in execution order.
std::string zoo_model_genome(SlottedModel& model);

}  // namespace gos
