// Plugin entry point for Pareto local search.
#include "framework/plugin_abi.h"
#include "plugins/strategies/local_search/local_search.h"

namespace gos {
namespace {

ParamSchema schema() {
  ParamSchema s;
  s.integer("evaluations", 1000, 1, INT64_MAX, "total genomes to evaluate")
      .integer("neighbours", 20, 1, 1000000,
               "neighbours (SearchSpace::neighbours) evaluated around each explored archive member");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  return std::make_unique<LocalSearch>(LocalSearchConfig{params.get_int("evaluations"), params.get_int("neighbours")});
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("local_search", gos::PluginKind::kStrategy, "1.0.0",
           "Pareto local search over SearchSpace::neighbours with random restarts", &gos::schema, &gos::create)
