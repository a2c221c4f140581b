// Plugin entry point for NSGA-III.
#include "framework/plugin_abi.h"
#include "plugins/strategies/nsga3/nsga3.h"

namespace gos {
namespace {

ParamSchema schema() {
  const Nsga3Config d;
  ParamSchema s;
  s.integer("population", d.population, 2, 1000000, "genomes per generation and survivors kept")
      .integer("generations", d.generations, 1, 1000000, "generations, the random initial population included")
      .integer("divisions", d.divisions, 0, 1000,
               "Das-Dennis divisions of the reference directions (C(M+p-1, p) directions for M objectives); 0 "
               "takes the largest p whose directions do not outnumber the population")
      .real("crossover_probability", d.variation.crossover_probability, 0, 1,
            "probability that a pair of parents is recombined (SearchSpace::crossover); 0 disables crossover")
      .real("mutation_probability", d.variation.mutation_probability, 0, 1,
            "probability that a child is mutated by the mutator");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  Nsga3Config config;
  config.population = params.get_int("population");
  config.generations = params.get_int("generations");
  config.divisions = params.get_int("divisions");
  config.variation.crossover_probability = params.get_real("crossover_probability");
  config.variation.mutation_probability = params.get_real("mutation_probability");
  return std::make_unique<Nsga3>(config);
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("nsga3", gos::PluginKind::kStrategy, "1.0.0",
           "NSGA-III: non-dominated sorting with niching around Das-Dennis reference directions (4+ objectives)",
           &gos::schema, &gos::create)
