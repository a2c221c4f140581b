#pragma once
// `gos compare`: hypervolume curves of several runs, grouped by strategy and
// averaged over seeds, as a table at fixed evaluation budgets and as an SVG
// plot (written by hand: one polyline per strategy).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gos::compare {

// One run's hypervolume after each generation, from its results file.
struct RunCurve {
  std::string file;
  std::string strategy;  // the [strategy] plugin of the resolved experiment, plus the group_by keys
  uint64_t seed = 0;
  std::vector<double> reference_point;  // [indicators] reference_point
  std::vector<double> evaluations;      // cumulative, per generation
  std::vector<double> hypervolume;      // per generation
};

// Reads a results file. Throws gos::Error naming the file when it cannot be
// read or records no hypervolume (the experiment had no [indicators]
// reference_point).
// `group_by` names keys of the stored experiment ("strategy.penalty") whose
// values join the strategy in the group label: "nsga2 strategy.penalty=0.001";
// a key the experiment lacks is an error naming it and the file.
RunCurve load_run(const std::filesystem::path& file, const std::vector<std::string>& group_by = {});

// The run's hypervolume once `budget` evaluations were spent: the value of the
// last generation within the budget, 0 before the first one (nothing found yet).
double hypervolume_at(const RunCurve& run, double budget);

struct StrategySummary {
  std::string strategy;
  size_t runs = 0;
  std::vector<double> mean;    // per budget
  std::vector<double> stddev;  // per budget; sample standard deviation, 0 for one run
};

// Groups by strategy (in order of first appearance) and averages over runs.
// Throws gos::Error when runs have different reference points, whose
// hypervolumes cannot be compared.
std::vector<StrategySummary> summarize(const std::vector<RunCurve>& runs, const std::vector<double>& budgets);

// `count` evenly spaced budgets up to the smallest final evaluation count, so
// that every run is measured at every budget.
std::vector<double> default_budgets(const std::vector<RunCurve>& runs, size_t count);

std::string format_table(const std::vector<StrategySummary>& summaries, const std::vector<double>& budgets);

// Mean hypervolume vs evaluations, one line per strategy, with axes and legend.
std::string render_svg(const std::vector<RunCurve>& runs);

}  // namespace gos::compare
