#pragma once
// Stage "stop rules": when the outer loop ends. Plain C++.
#include <cstdint>
#include <optional>
#include <string>

#include "adapt/results.h"

namespace gos::adapt {

struct StopRules {
  int64_t max_modified = 10;       // accepted replacements
  int64_t patience = 3;            // searched slots in a row without an accepted replacement
  double time_budget_minutes = 0;  // 0 = none
};

// What the loop has done so far.
class LoopProgress {
 public:
  // Counts a finished iteration. Unsupported slots cost no search, so they
  // do not use up patience.
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
