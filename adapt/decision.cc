#include "adapt/decision.h"

#include <fmt/format.h>

#include <algorithm>

namespace gos::adapt {

const char* to_string(AcceptRule rule) { return rule == AcceptRule::kBatch ? "batch" : "each"; }

Choice choose_candidate(const std::vector<FrontEntry>& front, const std::vector<CandidateRow>& evaluations,
                        const std::string& seed_genome, double reference_ms, double min_gain, double epsilon) {
  Choice choice;
  choice.front = front;
  const double must_beat = reference_ms * (1 - min_gain);
  for (const FrontEntry& entry : front) {
    // Strictly faster, and by min_gain: with min_gain = 0 a tie is no gain.
    if (!entry.feasible || entry.genome == seed_genome || !(entry.latency_ms < reference_ms) ||
        entry.latency_ms > must_beat)
      continue;
    if (!choice.chosen || entry.latency_ms < choice.chosen->latency_ms ||
        (entry.latency_ms == choice.chosen->latency_ms && entry.params < choice.chosen->params))
      choice.chosen = entry;
  }
  if (choice.chosen) {
    choice.status = IterationStatus::kAccepted;  // provisionally: the splice decision follows
    return choice;
  }
  // Candidates other than the seed, least accuracy drop first.
  std::vector<const CandidateRow*> others;
  for (const CandidateRow& row : evaluations)
    if (!row.failed && !row.cached && row.genome != seed_genome) others.push_back(&row);
  std::stable_sort(others.begin(), others.end(),
                   [](const CandidateRow* a, const CandidateRow* b) { return a->accuracy_drop < b->accuracy_drop; });
  if (!others.empty() && others.front()->feasible) {
    choice.status = IterationStatus::kNoGain;
    choice.reason = fmt::format("no feasible candidate is {}faster than the seed's {:.3f} ms",
                                min_gain > 0 ? fmt::format("{:g}% ", 100 * min_gain) : "", reference_ms);
    return choice;
  }
  // The front holds the seed (or nothing); record the best infeasible candidates instead.
  choice.status = IterationStatus::kInfeasible;
  choice.front.clear();
  for (size_t i = 0; i < std::min<size_t>(others.size(), 5); ++i)
    choice.front.push_back(
        {others[i]->genome, others[i]->latency_ms, others[i]->params, others[i]->accuracy_drop, false});
  choice.reason = others.empty() ? std::string("every candidate failed to evaluate")
                                 : fmt::format("no candidate within epsilon {}: best accuracy drop {:.2f} points",
                                               epsilon, others.front()->accuracy_drop);
  return choice;
}

Decision decide_splice(const SpliceFigures& f, double epsilon, double min_gain) {
  const double drop = f.baseline_accuracy - f.accuracy_after;
  if (!(drop <= epsilon))
    return {IterationStatus::kRejected,
            fmt::format("held-out accuracy {:.2f}% after fine-tuning drops {:.2f} points > epsilon {}",
                        f.accuracy_after, drop, epsilon)};
  const double must_reach = f.latency_before_ms * (1 - min_gain);
  if (!(f.latency_after_ms < f.latency_before_ms && f.latency_after_ms <= must_reach))
    return {IterationStatus::kNoGain,
            fmt::format("re-measured {:.3f} ms is not {}below {:.3f} ms (gain {:+.1f}%)", f.latency_after_ms,
                        min_gain > 0 ? fmt::format("{:g}% ", 100 * min_gain) : "", f.latency_before_ms,
                        100 * (1 - f.latency_after_ms / f.latency_before_ms))};
  return {
      IterationStatus::kAccepted,
      fmt::format("{:.3f} -> {:.3f} ms ({:.1f}% faster), held-out accuracy {:.2f}% (drop {:.2f})", f.latency_before_ms,
                  f.latency_after_ms, 100 * (1 - f.latency_after_ms / f.latency_before_ms), f.accuracy_after, drop)};
}

BatchDecision decide_batch(const BatchFigures& f, double min_gain, int64_t max_pending) {
  const double gain = 1 - f.current_ms / f.confirmed_ms;
  const std::string figures =
      fmt::format("{} pending: {:.3f} -> {:.3f} ms ({:+.1f}%)", f.pending, f.confirmed_ms, f.current_ms, 100 * gain);
  if (f.current_ms < f.confirmed_ms && f.current_ms <= f.confirmed_ms * (1 - min_gain))
    return {BatchVerdict::kConfirm, fmt::format("batch confirmed, {}", figures)};
  if (f.pending >= max_pending)
    return {BatchVerdict::kRevert, fmt::format("batch reverted, {} is not {:g}% after max_pending {} splices", figures,
                                               100 * min_gain, max_pending)};
  return {BatchVerdict::kKeepOpen, fmt::format("batch open, {} (needs {:g}%)", figures, 100 * min_gain)};
}

}  // namespace gos::adapt
