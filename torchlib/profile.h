#pragma once
// Per-slot latency profile of a zoo model, and the inefficiency score that
// ranks slots for replacement (see docs/MODELS.md). Timing is injected: `gos
// profile` times with the timing core on this CPU, `gos adapt` with its
// configured device.
#include <functional>
#include <vector>

#include "framework/device.h"
#include "torchlib/zoo.h"

namespace gos {

// The latency (ms) of one round of a workload: one timed run (gos profile) or
// a whole device measurement (gos adapt).
using WorkloadTimer = std::function<double(Workload&)>;

// A timer of the timing core: one run per call on wall clock, or on process
// CPU time (all threads' work; stays meaningful on a machine shared with
// other jobs, where a long run is preempted more often than a short one).
WorkloadTimer single_run_timer(bool cpu_time);

struct ProfileOptions {
  int warmup = 3;    // untimed runs of every workload before the first round
  int rounds = 15;   // alternating rounds; the median over rounds is reported
  int threads = 0;   // LibTorch intra-op threads; 0 keeps the current setting
};

struct SlotProfile {
  SlotInfo info;
  double latency_ms = 0;  // median over rounds of the slot run alone on a random input of its shape
  double spread = 0;      // IQR / median over the rounds: how repeatable latency_ms is
  double share = 0;       // latency_ms / sum of all slots' latency_ms
  double inefficiency = 0;
};

struct ModelProfile {
  std::vector<SlotProfile> slots;  // execution order
  double whole_ms = 0;             // median latency of the whole model
  double whole_spread = 0;         // IQR / median of the whole model over the rounds
  double slots_sum_ms = 0;         // sum of the slots' latency_ms
  int threads = 0;
};

// Times every slot in isolation and the whole model, in eval mode without
// gradients, at batch `input[0]`: `rounds` alternating rounds (timing core),
// each timing every slot once and then the whole model once; medians over
// the rounds. The model's training flag is restored.
ModelProfile profile_model(SlottedModel& model, const Shape& input, const ProfileOptions& options,
                           const WorkloadTimer& timer);

// Inefficiency of each slot, from its latency and parameter count:
//   share_i = t_i / sum_j t_j
//   lpp_i   = t_i / max(p_i, 1)                 (latency per parameter)
//   score_i = 100 * share_i * (1 + lpp_i / (lpp_i + median_j lpp_j))
// The share dominates (the factor is in [1, 2)); among slots of similar
// share, the one that spends more time per parameter ranks first.
std::vector<double> inefficiency_scores(const std::vector<double>& latency_ms, const std::vector<int64_t>& parameters);

// Slot indices, most inefficient first (ties keep execution order).
std::vector<size_t> rank_by_inefficiency(const ModelProfile& profile);

}  // namespace gos
