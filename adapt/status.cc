// The names adapt.h5 stores for run and iteration statuses.
#include <fmt/format.h>

#include "adapt/results.h"
#include "framework/error.h"

namespace gos::adapt {

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::kRunning:
      return "running";
    case RunStatus::kCompleted:
      return "completed";
    case RunStatus::kFailed:
      return "failed";
  }
  return "?";
}

const char* to_string(IterationStatus status) {
  switch (status) {
    case IterationStatus::kAccepted:
      return "accepted";
    case IterationStatus::kRejected:
      return "rejected";
    case IterationStatus::kInfeasible:
      return "infeasible";
    case IterationStatus::kUnsupported:
      return "unsupported";
    case IterationStatus::kNoGain:
      return "no_gain";
    case IterationStatus::kPending:
      return "pending";
    case IterationStatus::kReverted:
      return "reverted";
  }
  return "?";
}

RunStatus parse_run_status(const std::string& text) {
  for (RunStatus s : {RunStatus::kRunning, RunStatus::kCompleted, RunStatus::kFailed})
    if (text == to_string(s)) return s;
  throw Error(fmt::format("unknown run status '{}'; expected running, completed or failed", text));
}

IterationStatus parse_iteration_status(const std::string& text) {
  for (IterationStatus s :
       {IterationStatus::kAccepted, IterationStatus::kRejected, IterationStatus::kInfeasible,
        IterationStatus::kUnsupported, IterationStatus::kNoGain, IterationStatus::kPending, IterationStatus::kReverted})
    if (text == to_string(s)) return s;
  throw Error(
      fmt::format("unknown iteration status '{}'; expected accepted, rejected, infeasible, unsupported, no_gain, "
                  "pending or reverted",
                  text));
}

}  // namespace gos::adapt
