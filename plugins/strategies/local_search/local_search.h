#pragma once
// Pareto local search (Paquete, Chiarandini & Stützle 2004): keep the
// non-dominated set of everything evaluated; repeatedly take its oldest
// unexplored member and evaluate up to `neighbours` of its neighbours
// (SearchSpace::neighbours). When every member has been explored the search
// is at a Pareto local optimum and restarts from a fresh random sample, keeping
// the archive. With one objective this is steepest-descent hill climbing with
// random restarts.
#include <cstdint>
#include <optional>
#include <vector>

#include "framework/strategy.h"

namespace gos {

struct LocalSearchConfig {
  int64_t evaluations = 1000;  // total genomes
  int64_t neighbours = 20;     // neighbours evaluated per explored member (one generation)
};

class LocalSearch : public Strategy {
 public:
  explicit LocalSearch(LocalSearchConfig config) : config_(config) {}
  void start(const StrategyContext& context, Rng rng) override;
  std::vector<GenomePtr> ask() override;
  void tell(std::span<const EvaluatedGenome> evaluated) override;

  struct Member {
    EvaluatedGenome evaluated;
    bool explored = false;
  };
  // The non-dominated members found so far, in the order they entered.
  const std::vector<Member>& archive() const { return archive_; }
  size_t restarts() const { return restarts_; }

 private:
  void offer(const EvaluatedGenome& candidate);
  LocalSearchConfig config_;
  StrategyContext context_;
  std::optional<Rng> rng_;
  std::vector<Member> archive_;
  int64_t asked_ = 0;
  size_t restarts_ = 0;
};

}  // namespace gos
