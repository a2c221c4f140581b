#pragma once
// How the runner evaluates a generation's new genomes. By default in this
// process (evaluate_in_process); a run can be handed another backend through
// RunOptions::evaluation, e.g. the MPI ranks of mpi/, which call
// evaluate_in_process on their side, so both give the same records.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "framework/experiment.h"
#include "framework/results.h"

namespace gos {

class EvaluationBackend {
 public:
  virtual ~EvaluationBackend() = default;
  // One record per genome, in the order given (whatever order they were
  // evaluated in), with `genome` set from `canonicals` and `generation` set.
  // A candidate's failure is a failed record; DeviceLost propagates.
  virtual std::vector<EvaluationRecord> evaluate_all(const std::vector<const Genome*>& genomes,
                                                     std::vector<std::string> canonicals, int64_t generation) = 0;
};

// Evaluates objective by objective, each objective seeing all genomes at once
// (a device of several boards measures them together). A genome stops at its
// first failing objective (an exception or a value that is not finite); the
// survivors get their constraint violation. `seconds` is the wall-clock time
// of the whole call shared evenly among the genomes. `budget` (a fidelity,
// NaN: none) is passed to the objectives that declare a fidelity when it is
// below their full one (Objective::evaluate_all_at) and recorded.
std::vector<EvaluationRecord> evaluate_in_process(Experiment& experiment, const std::vector<const Genome*>& genomes,
                                                  std::vector<std::string> canonicals, int64_t generation,
                                                  double budget = std::nan(""));

}  // namespace gos
