#include "plugins/strategies/regularized_evolution/regularized_evolution.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "framework/error.h"
#include "framework/search_space.h"

namespace gos {

RegularizedEvolution::RegularizedEvolution(RegularizedEvolutionConfig config) : config_(config) {
  if (config_.sample_size > config_.population)
    throw Error(fmt::format("regularized_evolution: sample_size ({}) must not exceed population ({})",
                            config_.sample_size, config_.population));
}

void RegularizedEvolution::start(const StrategyContext& context, Rng rng) {
  operators::check_context(context, "regularized_evolution", 0);
  context_ = context;
  rng_.emplace(rng);
  population_.clear();
  asked_ = 0;
}

size_t RegularizedEvolution::select_parent(const operators::Ranking& ranking) {
  // sample_size distinct members (a partial Fisher-Yates shuffle); the best
  // of them by the population's rank and crowding is the parent.
  std::vector<size_t> indices(population_.size());
  std::iota(indices.begin(), indices.end(), size_t{0});
  const size_t k = std::min(static_cast<size_t>(config_.sample_size), indices.size());
  size_t best = 0;
  for (size_t i = 0; i < k; ++i) {
    std::swap(indices[i], indices[i + rng_->index(indices.size() - i)]);
    if (i == 0 || ranking.better(indices[i], best)) best = indices[i];
  }
  return best;
}

std::vector<GenomePtr> RegularizedEvolution::ask() {
  const int64_t remaining = config_.evaluations - asked_;
  if (remaining <= 0) return {};
  const int64_t still_to_fill = config_.population - asked_;
  std::vector<GenomePtr> batch;
  if (still_to_fill > 0) {
    batch = operators::sample(*context_.space, static_cast<size_t>(std::min({config_.batch, still_to_fill, remaining})),
                              *rng_);
  } else {
    const auto count = static_cast<size_t>(std::min(config_.batch, remaining));
    const std::vector<EvaluatedGenome> members(population_.begin(), population_.end());
    const operators::Ranking ranking = operators::rank_and_crowd(members);
    for (size_t i = 0; i < count; ++i)
      batch.push_back(context_.mutator->mutate(*context_.space, *members[select_parent(ranking)].genome, *rng_));
  }
  asked_ += static_cast<int64_t>(batch.size());
  return batch;
}

void RegularizedEvolution::tell(std::span<const EvaluatedGenome> evaluated) {
  for (const EvaluatedGenome& item : evaluated) {
    population_.push_back(item);
    if (population_.size() > static_cast<size_t>(config_.population)) population_.pop_front();
  }
}

}  // namespace gos
