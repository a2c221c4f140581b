#pragma once
// Stage "stop rules": when the outer loop ends. Plain C++.
#include <cstdint>
#include <optional>
#include <string>

#include "adapt/results.h"

namespace gos::adapt {

struct StopRules {
  int64_t max_modified = 10;       // replacements in the model: accepted or pending
  int64_t patience = 3;            // searched slots in a row without a replacement kept (reverted ones count)
  double time_budget_minutes = 0;  // 0 = none
};

// What the loop has done so far.
class LoopProgress {
 public:
  // Counts a finished iteration. Unsupported slots cost no search, so they
  // do not use up patience. A batch's outcome rewrites statuses: count the
  // record again from the start then.
  void count(IterationStatus status);
  int64_t modified() const { return modified_; }
  int64_t without_gain() const { return without_gain_; }

 private:
  int64_t modified_ = 0;
  int64_t without_gain_ = 0;
};

// Why the loop stops before starting another iteration, or nothing.
std::optional<std::string> stop_reason(const StopRules& rules, const LoopProgress& progress, double elapsed_seconds);

}  // namespace gos::adapt
