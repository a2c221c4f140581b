#pragma once
// The decisions of an iteration as pure functions (no LibTorch, no files):
// which searched candidate to splice, whether the splice is kept after
// fine-tuning, and (accept = "batch") whether the kept splices waiting for
// confirmation are confirmed. Testable with numbers alone.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapt/results.h"

namespace gos::adapt {

// How kept splices become accepted ones.
// kEachSplice: each splice must make the model `min_gain` faster on its own,
// in the search and in its before/after re-measurement.
// kBatch: a splice need only be faster at all; it then waits, spliced, as
// `pending` until the pending splices together make the model `min_gain`
// faster than the last confirmed model (one alternating A/B comparison after
// each pending splice: confirmed, all become `accepted`), and the batch is
// reverted (`reverted`) when `max_pending` splices or the end of the run
// come first. Why: where no slot is over 2-4% of the model (InceptionV3 at
// 1/8 width, MobileNetV3-Small) no single splice can pass 2%, and smaller
// gains cannot be told from the A/B noise one by one, but their sum can
// (docs/performance/adapt.md).
enum class AcceptRule { kEachSplice, kBatch };
const char* to_string(AcceptRule rule);

// The gain a single splice must show in the choice and its re-measurement.
inline double splice_min_gain(AcceptRule rule, double min_gain) { return rule == AcceptRule::kBatch ? 0 : min_gain; }

// One evaluated candidate of a search, as the choice sees it.
struct CandidateRow {
  std::string genome;
  double latency_ms = 0;     // the latency model's estimate of the whole model with the candidate
  double params = 0;
  double accuracy_drop = 0;  // points
  bool feasible = false;     // evaluated and within epsilon
  bool failed = false;
  bool cached = false;       // a repeat of an earlier genome
};

struct Choice {
  std::optional<FrontEntry> chosen;  // empty: nothing to splice
  IterationStatus status = IterationStatus::kNoGain;  // kNoGain or kInfeasible when nothing is chosen
  std::string reason;
  std::vector<FrontEntry> front;     // what the iteration records: the front, or the best infeasible ones
};

// The fastest feasible front member other than the seed that beats
// `reference_ms` (the seed's latency in the same search) by at least
// `min_gain` (relative); ties go to fewer parameters. Without one: kNoGain
// when some non-seed candidate was feasible, else kInfeasible with the (up
// to) five least-dropping candidates as the recorded front.
Choice choose_candidate(const std::vector<FrontEntry>& front, const std::vector<CandidateRow>& evaluations,
                        const std::string& seed_genome, double reference_ms, double min_gain, double epsilon);

struct SpliceFigures {
  double baseline_accuracy = 0;  // the original baseline's held-out accuracy
  double accuracy_after = 0;     // held-out, after splicing and fine-tuning
  double latency_before_ms = 0;  // re-measured alternately with latency_after_ms
  double latency_after_ms = 0;
};

struct Decision {
  IterationStatus status = IterationStatus::kRejected;  // kAccepted, kRejected or kNoGain
  std::string reason;
};

// Keeps the splice when the held-out accuracy drop against the original
// baseline is at most `epsilon` points and the model got at least `min_gain`
// (relative) faster: latency_after <= latency_before * (1 - min_gain), and
// strictly below latency_before. The
// accuracy check comes first (a rejected splice says why it was rejected).
Decision decide_splice(const SpliceFigures& figures, double epsilon, double min_gain);

struct BatchFigures {
  double confirmed_ms = 0;  // the last confirmed model: every pending slot with its original operator
  double current_ms = 0;    // the model with every pending splice, timed alternately with confirmed_ms
  int64_t pending = 0;      // pending splices, the latest included
};

enum class BatchVerdict { kConfirm, kKeepOpen, kRevert };
struct BatchDecision {
  BatchVerdict verdict = BatchVerdict::kKeepOpen;
  std::string reason;
};

// kConfirm when the pending splices together make the model at least
// `min_gain` faster than the confirmed one (current <= confirmed * (1 -
// min_gain), and strictly faster); otherwise kRevert once `pending` reached
// `max_pending`, else kKeepOpen.
BatchDecision decide_batch(const BatchFigures& figures, double min_gain, int64_t max_pending);

}  // namespace gos::adapt
