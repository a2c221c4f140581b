#include "plugins/strategies/nsga2/nsga2.h"

#include <fmt/format.h>

#include "framework/error.h"
#include "framework/search_space.h"

namespace gos {

Nsga2::Nsga2(Nsga2Config config) : config_(config) {
  if (config_.population < 2)
    throw Error(fmt::format("nsga2: population = {} is too small; tournaments and crowding need at least 2",
                            config_.population));
  if (config_.generations < 1)
    throw Error(fmt::format("nsga2: generations = {} must be at least 1", config_.generations));
  if (config_.initial.size() > static_cast<size_t>(config_.population))
    throw Error(fmt::format("nsga2: initial holds {} genomes, more than population = {}", config_.initial.size(),
                            config_.population));
}

void Nsga2::start(const StrategyContext& context, Rng rng) {
  operators::check_context(context, "nsga2", config_.variation.crossover_probability);
  context_ = context;
  rng_.emplace(rng);
  population_.clear();
  generation_ = 0;
  initial_ = operators::initial_population(*context.space, config_.initial, static_cast<size_t>(config_.population),
                                           *rng_, "nsga2: initial");
}

std::vector<GenomePtr> Nsga2::ask() {
  if (generation_ >= config_.generations) return {};
  const auto count = static_cast<size_t>(config_.population);
  if (generation_ == 0) return initial_;
  const operators::Ranking ranking = operators::rank_and_crowd(population_);
  return operators::make_offspring(population_, ranking, count, config_.selection, config_.variation, context_,
                                   *rng_);
}

void Nsga2::tell(std::span<const EvaluatedGenome> evaluated) {
  ++generation_;
  std::vector<EvaluatedGenome> pool = std::move(population_);
  pool.insert(pool.end(), evaluated.begin(), evaluated.end());
  const operators::ObjectiveTable table = operators::objective_table(pool);
  population_.clear();
  for (size_t i :
       operators::rank_crowding_survival(table.points(), table.violations, static_cast<size_t>(config_.population)))
    population_.push_back(std::move(pool[i]));
}

}  // namespace gos
