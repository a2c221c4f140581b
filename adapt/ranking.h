#pragma once
// Stage "profile and rank": the order in which slots are searched. The
// inefficiency score is a replaceable function; the pipeline passes the
// documented default, gos::inefficiency_scores of torchlib/profile.h
// (latency share first, latency per parameter second). Plain C++.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "adapt/results.h"

namespace gos::adapt {

// Scores of slots from their latencies (ms) and parameter counts, one per
// slot, higher = less efficient = searched earlier.
using InefficiencyScore =
    std::function<std::vector<double>(const std::vector<double>& latency_ms, const std::vector<int64_t>& params)>;

// Fills share and inefficiency of every slot from its latency and parameters.
// Throws gos::Error when `score` returns another number of scores.
void score_slots(std::vector<SlotRecord>& slots, const InefficiencyScore& score);

// The slots most inefficient first (ties keep execution order), only those
// whose kind starts with one of `kinds`.
std::vector<SlotRecord> search_order(std::vector<SlotRecord> slots, const std::vector<std::string>& kinds);

// How the loop walks the ranking. kRanked: in ranked order. kDeferFailedKinds:
// in ranked order, except that a slot whose kind ("dwconv3x3", "conv1x1")
// was last searched without an accepted replacement waits until no slot of
// another kind is left. Why: slots of one kind on one CPU mostly fail alike
// (MobileNetV3's depthwise convolutions, ranked first by latency per
// parameter, gave no candidate 2% faster in docs/performance/adapt*.md), and
// patience then ends the run before the other kinds were tried.
enum class SlotOrder { kRanked, kDeferFailedKinds };
const char* to_string(SlotOrder order);

// The next slot of `order` (search_order's result) not yet in `done`, or
// nothing when every slot was tried. A pure function of what was done, so
// that a resumed run continues in the same order.
std::optional<SlotRecord> next_slot(const std::vector<SlotRecord>& order, const std::vector<IterationRecord>& done,
                                    SlotOrder mode);

}  // namespace gos::adapt
