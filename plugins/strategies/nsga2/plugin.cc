// Plugin entry point for NSGA-II.
#include <fmt/format.h>

#include "framework/plugin_abi.h"
#include "plugins/strategies/nsga2/nsga2.h"

namespace gos {
namespace {

ParamSchema schema() {
  ParamSchema s;
  s.integer("population", 100, 2, 1000000, "genomes per generation and survivors kept")
      .integer("generations", 250, 1, 1000000, "generations, the random initial population included")
      .strings("initial", std::vector<std::string>{},
               "genomes (as the results file writes them) placed in the initial population before the random "
               "ones; at most population")
      .real("crossover_probability", 0.9, 0, 1,
            "probability that a pair of parents is recombined (SearchSpace::crossover); 0 disables crossover")
      .real("mutation_probability", 1.0, 0, 1, "probability that a child is mutated by the mutator")
      .string("selection", "shuffled_tournament",
              "how parents are chosen: shuffled_tournament (Deb's: every member plays two tournaments per "
              "generation), binary_tournament (contestants drawn with replacement) or random",
              {"shuffled_tournament", "binary_tournament", "random"});
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  Nsga2Config config;
  config.population = params.get_int("population");
  config.generations = params.get_int("generations");
  config.initial = params.get_strings("initial");
  if (config.initial.size() > static_cast<size_t>(config.population))
    throw params.error(
        "initial", fmt::format("{} genomes given, at most population = {}", config.initial.size(), config.population));
  config.variation.crossover_probability = params.get_real("crossover_probability");
  config.variation.mutation_probability = params.get_real("mutation_probability");
  config.selection = operators::parse_selection(params.get_string("selection"));
  return std::make_unique<Nsga2>(config);
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("nsga2", gos::PluginKind::kStrategy, "1.0.0",
           "NSGA-II: non-dominated sorting, crowding distance, constraint-domination", &gos::schema, &gos::create)
