#include "adapt/stop_rules.h"

#include <fmt/format.h>

namespace gos::adapt {

void LoopProgress::count(IterationStatus status) {
  if (is_spliced(status)) {
    ++modified_;
    without_gain_ = 0;
  } else if (status != IterationStatus::kUnsupported) {
    ++without_gain_;
  }
}

std::optional<std::string> stop_reason(const StopRules& rules, const LoopProgress& progress, double elapsed_seconds) {
  if (progress.modified() >= rules.max_modified)
    return fmt::format("{} replacements made (max_modified)", progress.modified());
  if (progress.without_gain() >= rules.patience)
    return fmt::format("{} searched slots in a row without gain (patience)", progress.without_gain());
  if (rules.time_budget_minutes > 0 && elapsed_seconds > 60 * rules.time_budget_minutes)
    return fmt::format("time budget of {} minutes used", rules.time_budget_minutes);
  return std::nullopt;
}

}  // namespace gos::adapt
