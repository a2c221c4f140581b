// Plugin entry point for regularized (aging) evolution.
#include <fmt/format.h>

#include "framework/plugin_abi.h"
#include "plugins/strategies/regularized_evolution/regularized_evolution.h"

namespace gos {
namespace {

ParamSchema schema() {
  ParamSchema s;
  s.integer("population", 100, 2, 1000000, "living population; the oldest member dies when a child is born")
      .integer("sample_size", 25, 1, 1000000, "members drawn per tournament; at most population")
      .integer("evaluations", 1000, 1, INT64_MAX, "total genomes, the random initial population included")
      .integer("batch", 10, 1, 1000000, "children per generation (one results flush each)");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  RegularizedEvolutionConfig config{params.get_int("population"), params.get_int("sample_size"),
                                    params.get_int("evaluations"), params.get_int("batch")};
  if (config.sample_size > config.population)
    throw params.error("sample_size", fmt::format("must not exceed population ({})", config.population));
  return std::make_unique<RegularizedEvolution>(config);
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("regularized_evolution", gos::PluginKind::kStrategy, "1.0.0",
           "Regularized (aging) evolution with multi-objective tournaments", &gos::schema, &gos::create)
