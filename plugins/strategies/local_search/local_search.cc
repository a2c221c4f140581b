#include "plugins/strategies/local_search/local_search.h"

#include <algorithm>

#include "framework/pareto.h"
#include "framework/search_space.h"
#include "plugins/strategies/operators/operators.h"

namespace gos {

void LocalSearch::start(const StrategyContext& context, Rng rng) {
  operators::check_context(context, "local_search", 0);
  context_ = context;
  rng_.emplace(rng);
  archive_.clear();
  asked_ = 0;
  restarts_ = 0;
}

std::vector<GenomePtr> LocalSearch::ask() {
  const int64_t remaining = config_.evaluations - asked_;
  if (remaining <= 0) return {};
  std::vector<GenomePtr> batch;
  for (Member& member : archive_) {
    if (member.explored) continue;
    member.explored = true;
    batch = context_.space->neighbours(*member.evaluated.genome, *rng_,
                                       static_cast<size_t>(std::min(config_.neighbours, remaining)));
    if (!batch.empty()) break;  // a member without neighbours is explored by definition
  }
  if (batch.empty()) {
    // Every member is a local optimum (or there is none yet): restart.
    if (!archive_.empty()) ++restarts_;
    batch = operators::sample(*context_.space, 1, *rng_);
  }
  asked_ += static_cast<int64_t>(batch.size());
  return batch;
}

void LocalSearch::offer(const EvaluatedGenome& candidate) {
  if (candidate.failed) return;
  for (const Member& member : archive_) {
    const auto& kept = member.evaluated;
    if (constraint_dominates(kept.objectives, kept.violation, candidate.objectives, candidate.violation)) return;
    // An equal point adds nothing but would be explored again: on plateaus of
    // tabular spaces that would let the archive grow without progress.
    if (kept.objectives == candidate.objectives && kept.violation == candidate.violation) return;
  }
  std::erase_if(archive_, [&](const Member& member) {
    return constraint_dominates(candidate.objectives, candidate.violation, member.evaluated.objectives,
                                member.evaluated.violation);
  });
  archive_.push_back({candidate, false});
}

void LocalSearch::tell(std::span<const EvaluatedGenome> evaluated) {
  for (const EvaluatedGenome& item : evaluated) offer(item);
}

}  // namespace gos
