#include "plugins/strategies/operators/operators.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "framework/error.h"
#include "framework/search_space.h"

namespace gos::operators {

std::vector<GenomePtr> sample(const SearchSpace& space, size_t count, Rng& rng) {
  std::vector<GenomePtr> genomes;
  genomes.reserve(count);
  for (size_t i = 0; i < count; ++i) genomes.push_back(space.sample(rng));
  return genomes;
}

std::vector<GenomePtr> initial_population(const SearchSpace& space, std::span<const std::string> given, size_t count,
                                          Rng& rng, const std::string& key) {
  if (given.size() > count)
    throw Error(fmt::format("{}: {} genomes given for an initial population of {}", key, given.size(), count));
  std::vector<GenomePtr> genomes;
  genomes.reserve(count);
  for (size_t i = 0; i < given.size(); ++i) {
    try {
      genomes.push_back(space.deserialize(given[i]));
    } catch (const Error& e) {
      throw Error(fmt::format("{}[{}] = \"{}\" is not a genome of this search space: {}", key, i, given[i], e.what()));
    }
  }
  while (genomes.size() < count) genomes.push_back(space.sample(rng));
  return genomes;
}

ObjectiveTable objective_table(std::span<const EvaluatedGenome> population) {
  ObjectiveTable table;
  table.objectives = population.empty() ? 0 : population.front().objectives.size();
  for (size_t i = 0; i < population.size(); ++i) {
    const EvaluatedGenome& member = population[i];
    if (member.objectives.size() != table.objectives)
      throw Error(fmt::format("population member {} has {} objectives but member 0 has {}", i,
                              member.objectives.size(), table.objectives));
    table.values.insert(table.values.end(), member.objectives.begin(), member.objectives.end());
    table.violations.push_back(member.violation);
  }
  return table;
}

Ranking rank_and_crowd(moo::Points points, std::span<const double> violations) {
  const moo::Fronts fronts = moo::nondominated_sort(points, violations);
  Ranking ranking;
  ranking.rank = moo::ranks_of(fronts, points.size());
  ranking.crowding.assign(points.size(), 0.0);
  for (const auto& front : fronts) {
    const auto distance = moo::crowding_distance(points, front);
    for (size_t k = 0; k < front.size(); ++k) ranking.crowding[front[k]] = distance[k];
  }
  return ranking;
}

Ranking rank_and_crowd(std::span<const EvaluatedGenome> population) {
  if (population.empty()) return {};
  const ObjectiveTable table = objective_table(population);
  return rank_and_crowd(table.points(), table.violations);
}

std::vector<size_t> rank_crowding_survival(moo::Points points, std::span<const double> violations, size_t count) {
  const moo::Fronts fronts = moo::nondominated_sort(points, violations);
  std::vector<size_t> survivors;
  survivors.reserve(std::min(count, points.size()));
  for (const auto& front : fronts) {
    if (survivors.size() + front.size() <= count) {
      survivors.insert(survivors.end(), front.begin(), front.end());
      continue;
    }
    // Only the front that overflows needs crowding distances.
    const auto distance = moo::crowding_distance(points, front);
    std::vector<size_t> order(front.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return distance[a] > distance[b]; });
    for (size_t k = 0; survivors.size() < count; ++k) survivors.push_back(front[order[k]]);
    break;
  }
  std::sort(survivors.begin(), survivors.end());
  return survivors;
}

Selection parse_selection(const std::string& name) {
  if (name == "shuffled_tournament") return Selection::kShuffledTournament;
  if (name == "binary_tournament") return Selection::kBinaryTournament;
  if (name == "random") return Selection::kRandom;
  throw Error(fmt::format("unknown selection '{}'; valid: shuffled_tournament, binary_tournament, random", name));
}

size_t select_parent(Selection selection, const Ranking& ranking, Rng& rng) {
  const size_t n = ranking.rank.size();
  if (selection == Selection::kRandom || n < 2) return rng.index(n);
  const size_t a = rng.index(n);
  size_t b = rng.index(n - 1);
  if (b >= a) ++b;  // two distinct contestants
  return ranking.better(b, a) ? b : a;
}

size_t ParentSelector::next(Rng& rng) {
  const size_t n = ranking_.rank.size();
  if (selection_ != Selection::kShuffledTournament || n < 2) return select_parent(selection_, ranking_, rng);
  if (position_ + 2 > contestants_.size()) {
    contestants_.resize(n);
    std::iota(contestants_.begin(), contestants_.end(), size_t{0});
    rng.shuffle(std::span<size_t>(contestants_));
    position_ = 0;
  }
  const size_t a = contestants_[position_], b = contestants_[position_ + 1];
  position_ += 2;
  if (ranking_.better(a, b)) return a;
  if (ranking_.better(b, a)) return b;
  return rng.bernoulli(0.5) ? a : b;
}

std::vector<GenomePtr> make_offspring(std::span<const EvaluatedGenome> population, const Ranking& ranking,
                                      size_t count, Selection selection, const VariationConfig& variation,
                                      const StrategyContext& context, Rng& rng) {
  std::vector<GenomePtr> children;
  children.reserve(count);
  ParentSelector parents(selection, ranking);
  while (children.size() < count) {
    const GenomePtr& mother = population[parents.next(rng)].genome;
    const GenomePtr& father = population[parents.next(rng)].genome;
    // Genomes are immutable, so without crossover the children share the
    // parents until mutation makes new ones.
    std::pair<GenomePtr, GenomePtr> pair{mother, father};
    if (rng.bernoulli(variation.crossover_probability)) pair = context.space->crossover(*mother, *father, rng);
    for (GenomePtr* child : {&pair.first, &pair.second}) {
      if (children.size() == count) break;
      if (rng.bernoulli(variation.mutation_probability))
        *child = context.mutator->mutate(*context.space, **child, rng);
      children.push_back(std::move(*child));
    }
  }
  return children;
}

void check_context(const StrategyContext& context, const std::string& strategy, double crossover_probability) {
  if (!context.space || !context.mutator)
    throw Error(fmt::format("strategy '{}' was started without a search space or mutator", strategy));
  if (context.num_objectives == 0)
    throw Error(fmt::format("strategy '{}' needs at least one optimised objective; every objective of the "
                            "experiment has optimize = false",
                            strategy));
  if (crossover_probability > 0 && !context.space->supports_crossover())
    throw Error(fmt::format("strategy '{}': the search space has no crossover operator; set "
                            "crossover_probability = 0 in [strategy]",
                            strategy));
}

}  // namespace gos::operators
