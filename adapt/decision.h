#pragma once
// The two decisions of an iteration as pure functions (no LibTorch, no
// files): which searched candidate to splice, and whether the splice is
// kept after fine-tuning. Testable with numbers alone.
#include <optional>
#include <string>
#include <vector>

#include "adapt/results.h"

namespace gos::adapt {

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

}  // namespace gos::adapt
