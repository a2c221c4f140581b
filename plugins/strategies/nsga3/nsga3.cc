#include "plugins/strategies/nsga3/nsga3.h"

#include <fmt/format.h>

#include "framework/error.h"
#include "framework/search_space.h"
#include "plugins/strategies/nsga3/reference_directions.h"
#include "plugins/strategies/nsga3/survival.h"

namespace gos {

Nsga3::Nsga3(Nsga3Config config) : config_(config) {
  if (config_.population < 2)
    throw Error(fmt::format("nsga3: population = {} is too small; it needs at least 2", config_.population));
  if (config_.generations < 1)
    throw Error(fmt::format("nsga3: generations = {} must be at least 1", config_.generations));
  if (config_.divisions < 0) throw Error(fmt::format("nsga3: divisions = {} must be >= 0", config_.divisions));
}

void Nsga3::start(const StrategyContext& context, Rng rng) {
  operators::check_context(context, "nsga3", config_.variation.crossover_probability);
  context_ = context;
  rng_.emplace(rng);
  const size_t divisions = config_.divisions > 0
                               ? static_cast<size_t>(config_.divisions)
                               : nsga3::divisions_for(context.num_objectives, static_cast<size_t>(config_.population));
  directions_ = nsga3::das_dennis(context.num_objectives, divisions);
  population_.clear();
  generation_ = 0;
}

std::vector<GenomePtr> Nsga3::ask() {
  if (generation_ >= config_.generations) return {};
  const auto count = static_cast<size_t>(config_.population);
  if (generation_ == 0) return operators::sample(*context_.space, count, *rng_);
  // Feasibility tournament: one rank for every feasible member, the smaller
  // violation wins among the others (Ranking::better prefers larger
  // "crowding", hence the sign); equal entries make a random pick.
  operators::Ranking feasibility;
  for (const EvaluatedGenome& member : population_) {
    feasibility.rank.push_back(member.violation > 0 ? 1 : 0);
    feasibility.crowding.push_back(-member.violation);
  }
  return operators::make_offspring(population_, feasibility, count, operators::Selection::kBinaryTournament,
                                   config_.variation, context_, *rng_);
}

void Nsga3::tell(std::span<const EvaluatedGenome> evaluated) {
  ++generation_;
  std::vector<EvaluatedGenome> pool = std::move(population_);
  pool.insert(pool.end(), evaluated.begin(), evaluated.end());
  const operators::ObjectiveTable table = operators::objective_table(pool);
  const moo::Points directions{directions_, context_.num_objectives};
  population_.clear();
  for (size_t i : nsga3::survive(table.points(), table.violations, static_cast<size_t>(config_.population),
                                 directions, *rng_))
    population_.push_back(std::move(pool[i]));
}

}  // namespace gos
