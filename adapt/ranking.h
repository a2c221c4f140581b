#pragma once
// Stage "profile and rank": the order in which slots are searched. The
// inefficiency score is a replaceable function; the pipeline passes the
// documented default, gos::inefficiency_scores of torchlib/profile.h
// (latency share first, latency per parameter second). Plain C++.
#include <cstdint>
#include <functional>
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

}  // namespace gos::adapt
