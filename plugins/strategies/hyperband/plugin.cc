// Plugin entry point for Hyperband / successive halving.
#include <fmt/format.h>

#include <limits>

#include "framework/plugin_abi.h"
#include "plugins/strategies/hyperband/hyperband.h"

namespace gos {
namespace {

ParamSchema schema() {
  const HyperbandConfig defaults;
  const double inf = std::numeric_limits<double>::infinity();
  ParamSchema s;
  s.real("eta", defaults.eta, 1.01, 1000, "reduction factor: each rung keeps the best 1/eta for eta times the budget")
      .real("min_budget", std::nullopt, 0, inf,
            "budget of the first rung of the most exploratory bracket (default: the objectives' smallest fidelity); "
            "the largest is always their full fidelity")
      .optional()
      .reals("budgets", std::vector<double>{}, 0, inf,
             "explicit rung budgets, ascending, the last the full fidelity (e.g. a tabular benchmark's [12, 200] "
             "epochs); replaces min_budget")
      .integer("brackets", defaults.brackets, 0, 1000,
               "run only the k most exploratory brackets; 0: all of them (Hyperband), 1: successive halving")
      .integer("iterations", defaults.iterations, 1, 1000000, "how often the whole schedule runs on fresh samples");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  HyperbandConfig config;
  config.eta = params.get_real("eta");
  if (params.has("min_budget")) config.min_budget = params.get_real("min_budget");
  config.budgets = params.get_reals("budgets");
  config.brackets = params.get_int("brackets");
  config.iterations = params.get_int("iterations");
  if (config.min_budget && !config.budgets.empty())
    throw params.error("min_budget", "give either budgets or min_budget, not both");
  for (size_t i = 1; i < config.budgets.size(); ++i)
    if (config.budgets[i] <= config.budgets[i - 1]) throw params.error("budgets", "must be strictly ascending");
  return std::make_unique<Hyperband>(std::move(config));
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("hyperband", gos::PluginKind::kStrategy, "1.0.0",
           "Hyperband / successive halving: more budget (epochs) for the configurations that do well on less",
           &gos::schema, &gos::create)
