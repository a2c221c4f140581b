#include "plugins/strategies/nsga2/nsga2.h"

#include "framework/search_space.h"

namespace gos {

void Nsga2::start(const StrategyContext& context, Rng rng) {
  operators::check_context(context, "nsga2", config_.variation.crossover_probability);
  context_ = context;
  rng_.emplace(rng);
  population_.clear();
  generation_ = 0;
}

std::vector<GenomePtr> Nsga2::ask() {
  if (generation_ >= config_.generations) return {};
  const auto count = static_cast<size_t>(config_.population);
  if (generation_ == 0) return operators::sample(*context_.space, count, *rng_);
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
