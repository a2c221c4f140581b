#pragma once
// Helpers of `gos sweep` (and of `gos validate`, which checks a file's
// [sweep] table the same way): which seeds and strategies to run.
#include <cstdint>
#include <string>
#include <toml++/toml.h>
#include <vector>

#include "framework/experiment.h"

namespace gos::sweep {

// "0..9" (both ends included) or "1,4,7". Throws gos::Error naming the bad
// part and showing valid forms.
std::vector<uint64_t> parse_seeds(const std::string& text);

// One axis of a grid sweep (batch_exp.py's `-v 0 0.001 0.005`): a TOML key
// of the experiment and the values it takes, as `--set key=value` text.
struct GridAxis {
  std::string key;                  // "strategy.penalty"
  std::vector<std::string> values;  // {"0", "1e-4", "1e-3"}
};

// "strategy.penalty=0,1e-4,1e-3". Throws gos::Error naming the text and the
// valid form for a missing '=', an empty key or an empty value.
GridAxis parse_grid_axis(const std::string& text);

// Every point of the grid (the first axis varies slowest): one list of
// "key=value" overrides per point; one empty point when there are no axes.
std::vector<std::vector<std::string>> grid_points(const std::vector<GridAxis>& axes);

// A point as a file-name part: "strategy.penalty=1e-4_strategy.steps=50";
// characters other than [A-Za-z0-9._=+-] become '_'.
std::string grid_label(const std::vector<std::string>& point);

// The optional [sweep] table of an experiment file.
struct SweepTable {
  std::string seeds;                     // as written; empty: not given
  std::string output;                    // folder for the runs; empty: not given
  std::vector<toml::table> strategies;   // [[sweep.strategies]]; empty: the file's [strategy]
  std::vector<int64_t> strategy_lines;   // where each table starts in the file (copies lose it)
};

// Reads [sweep] from `root` (the parsed file itself: copies of toml++ nodes
// lose their source positions). Throws gos::Error with file:line:column for a
// key that is unknown or of the wrong type, and checks `seeds`.
SweepTable read_sweep_table(const toml::table& root, const std::string& file);

// One run of a sweep: the experiment `root` ([sweep] is ignored) with `strategy`
// in place of [strategy], and the given seed and output, parsed and built
// against `registry`. Errors name the strategy table's line in `file`.
Experiment build_sweep_run(const toml::table& root, const toml::table& strategy, int64_t strategy_line,
                           uint64_t seed, const std::string& output, const std::string& file,
                           const std::vector<std::string>& overrides, PluginRegistry& registry);

}  // namespace gos::sweep
