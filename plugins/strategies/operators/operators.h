#pragma once
// The building blocks the evolutionary strategies are assembled from, each a
// small function with its collaborators (space, mutator, rng) passed in:
// sampling, parent selection, variation (crossover through
// SearchSpace::crossover, mutation through the injected Mutator), and
// rank-and-crowding survival. Strategies choose among them from their TOML
// parameters, so one piece can be swapped without touching the others.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "framework/moo/nondominated_sort.h"
#include "framework/strategy.h"

namespace gos::operators {

// `count` genomes sampled uniformly from the space.
std::vector<GenomePtr> sample(const SearchSpace& space, size_t count, Rng& rng);

// An initial population of `count`: the `given` genomes (space strings, as
// results files hold them) first, in order, then uniform samples. The rng
// draws only for the samples, so without given genomes this is sample().
// Throws gos::Error naming `key` and the index of a string the space does not
// accept, or when more genomes are given than `count`.
std::vector<GenomePtr> initial_population(const SearchSpace& space, std::span<const std::string> given, size_t count,
                                          Rng& rng, const std::string& key);

// The objectives of a population as one row-major matrix, plus violations,
// in the form the sorting routines take.
struct ObjectiveTable {
  std::vector<double> values;
  std::vector<double> violations;
  size_t objectives = 0;
  moo::Points points() const { return {values, objectives}; }
};
// Throws gos::Error when a member's objective count differs from the first's.
ObjectiveTable objective_table(std::span<const EvaluatedGenome> population);

// NSGA-II's order of a population: front rank first, then larger crowding
// distance (computed within each front).
struct Ranking {
  std::vector<size_t> rank;
  std::vector<double> crowding;
  // True when a is strictly preferred to b.
  bool better(size_t a, size_t b) const { return rank[a] != rank[b] ? rank[a] < rank[b] : crowding[a] > crowding[b]; }
};
Ranking rank_and_crowd(moo::Points points, std::span<const double> violations);
Ranking rank_and_crowd(std::span<const EvaluatedGenome> population);

// Indices of the `count` survivors: whole fronts in rank order, and from the
// first front that does not fit, its members of largest crowding distance
// (ties keep the lower index, so survival is deterministic). Returned in
// increasing index order.
std::vector<size_t> rank_crowding_survival(moo::Points points, std::span<const double> violations, size_t count);

// How parents are chosen from a ranked population.
enum class Selection {
  // Deb's NSGA-II tournament: contestants paired off from shuffled
  // permutations of the population, so with as many parents as members every
  // member plays exactly two tournaments; the better wins, exact ties at random.
  kShuffledTournament,
  kBinaryTournament,  // the better of two distinct uniform picks, with replacement
  kRandom,            // uniform, ignoring the ranking (a baseline)
};
// "shuffled_tournament" | "binary_tournament" | "random"
Selection parse_selection(const std::string& name);
// One parent index by kBinaryTournament or kRandom (kShuffledTournament
// needs the state of a ParentSelector); the population must have at least
// one member (two for a tournament).
size_t select_parent(Selection selection, const Ranking& ranking, Rng& rng);

// Parents for one generation's offspring, by any Selection.
class ParentSelector {
 public:
  ParentSelector(Selection selection, const Ranking& ranking) : selection_(selection), ranking_(ranking) {}
  size_t next(Rng& rng);

 private:
  Selection selection_;
  const Ranking& ranking_;
  std::vector<size_t> contestants_;  // the current permutation (shuffled tournaments)
  size_t position_ = 0;
};

struct VariationConfig {
  double crossover_probability = 0.9;  // per pair of parents; needs SearchSpace::crossover
  double mutation_probability = 1.0;   // per child
};

// `count` children: parents chosen by `selection`, recombined with
// probability crossover_probability, then each child mutated with
// probability mutation_probability by the context's mutator.
std::vector<GenomePtr> make_offspring(std::span<const EvaluatedGenome> population, const Ranking& ranking, size_t count,
                                      Selection selection, const VariationConfig& variation,
                                      const StrategyContext& context, Rng& rng);

// Throws gos::Error naming the strategy when the context cannot run it: no
// space or mutator, no optimised objective, or crossover requested from a
// space that has none.
void check_context(const StrategyContext& context, const std::string& strategy, double crossover_probability);

}  // namespace gos::operators
