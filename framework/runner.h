#pragma once
// The search loop: ask the strategy for a generation, evaluate it, tell the
// results, append the generation to the results file, repeat.
//
// Resuming replays: the strategy runs again from the same seed, and each
// genome it asks for is answered from the results file (checked to be the same
// canonical genome) until the recorded generations run out; from there on the
// run evaluates live. Since strategies are deterministic given their rng and
// what they are told, the resumed run ends with exactly the evaluations and
// front of an uninterrupted run.
//
// Multi-fidelity (framework/fidelity.h): when the strategy gives budgets, each
// genome is evaluated at its budget by the objectives that declare a
// fidelity (the others evaluate plainly), the record keeps the budget, the
// cache tells budgets apart, and only full-fidelity evaluations reach the front.
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "framework/experiment.h"
#include "framework/results.h"

namespace gos {

class EvaluationBackend;  // framework/evaluation.h

struct RunOptions {
  bool resume = false;     // continue the run recorded in the output file
  bool overwrite = false;  // replace an existing output file
  bool progress = true;    // one line per generation on stderr
  // Called after each generation is written (tests use it to observe runs).
  std::function<void(const GenerationRecord&)> on_generation;
  // Extra root attributes for the results file (e.g. device descriptions).
  std::map<std::string, std::string> attributes;
  // Evaluates each generation's new genomes elsewhere (MPI ranks); null:
  // in this process. Must give the records evaluate_in_process would.
  EvaluationBackend* evaluation = nullptr;
};

struct RunSummary {
  std::filesystem::path output;
  size_t evaluations = 0;
  size_t generations = 0;
  size_t replayed_generations = 0;
  size_t failed = 0;
  size_t front_size = 0;  // unique genomes on the Pareto front
  // The [indicators] of the last generation (hypervolume, igd), when configured.
  std::vector<std::pair<std::string, double>> indicators;
  bool already_complete = false;
  size_t equivalent_hits = 0;      // evaluations reused through SearchSpace::equivalence_key
  double equivalence_seconds = 0;  // time spent computing exact equivalence keys
};

RunSummary run_experiment(Experiment& experiment, const RunOptions& options);

std::string gos_version();
std::string gos_git_commit();
std::string utc_now_iso8601();

}  // namespace gos
