#include "cli/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "framework/error.h"
#include "framework/results.h"
#include "framework/svg_chart.h"
#include "framework/toml_input.h"

namespace gos::compare {

RunCurve load_run(const std::filesystem::path& file, const std::vector<std::string>& group_by) {
  const RunResults results = read_results(file);
  RunCurve run;
  run.file = file.string();
  run.seed = results.metadata.seed;
  toml::table config;
  try {
    config = parse_toml(results.metadata.config_toml, file.string() + " (experiment_toml)");
  } catch (const Error& e) {
    throw Error(fmt::format("{}: the stored experiment is not valid TOML: {}", file.string(), e.what()));
  }
  const auto strategy = config["strategy"]["plugin"].value<std::string>();
  if (!strategy) throw Error(fmt::format("{}: the stored experiment has no [strategy] plugin", file.string()));
  run.strategy = *strategy;
  for (const std::string& key : group_by) {
    const toml::node_view<toml::node> node = config.at_path(key);
    if (!node) throw Error(fmt::format("{}: the stored experiment has no key '{}' to group by", file.string(), key));
    std::ostringstream value;
    if (const auto text = node.value<std::string>())
      value << *text;
    else
      value << node;
    run.strategy += fmt::format(" {}={}", key, value.str());
  }
  if (const toml::array* reference = config["indicators"]["reference_point"].as_array())
    for (const auto& coordinate : *reference) run.reference_point.push_back(coordinate.value<double>().value_or(NAN));
  for (const GenerationRecord& generation : results.generations)
    for (const auto& [name, value] : generation.indicators)
      if (name == "hypervolume") {
        run.evaluations.push_back(static_cast<double>(generation.evaluations));
        run.hypervolume.push_back(value);
      }
  if (run.hypervolume.empty())
    throw Error(fmt::format("{}: no hypervolume recorded; run the experiment with an [indicators] table giving "
                            "reference_point (see docs/RESULTS-indicators.md)",
                            file.string()));
  return run;
}

double hypervolume_at(const RunCurve& run, double budget) {
  const auto after = std::upper_bound(run.evaluations.begin(), run.evaluations.end(), budget);
  if (after == run.evaluations.begin()) return 0;
  return run.hypervolume[static_cast<size_t>(after - run.evaluations.begin()) - 1];
}

std::vector<StrategySummary> summarize(const std::vector<RunCurve>& runs, const std::vector<double>& budgets) {
  std::vector<StrategySummary> summaries;
  std::vector<std::vector<const RunCurve*>> groups;
  for (const RunCurve& run : runs) {
    if (run.reference_point != runs.front().reference_point)
      throw Error(fmt::format("{} and {} use different hypervolume reference points; their hypervolumes cannot be "
                              "compared",
                              runs.front().file, run.file));
    auto it = std::find_if(summaries.begin(), summaries.end(),
                           [&](const auto& s) { return s.strategy == run.strategy; });
    if (it == summaries.end()) {
      summaries.push_back({run.strategy, 0, {}, {}});
      groups.emplace_back();
      it = summaries.end() - 1;
    }
    groups[static_cast<size_t>(it - summaries.begin())].push_back(&run);
  }
  for (size_t g = 0; g < summaries.size(); ++g) {
    StrategySummary& summary = summaries[g];
    summary.runs = groups[g].size();
    for (double budget : budgets) {
      double sum = 0;
      for (const RunCurve* run : groups[g]) sum += hypervolume_at(*run, budget);
      const double mean = sum / static_cast<double>(summary.runs);
      double squares = 0;
      for (const RunCurve* run : groups[g]) squares += std::pow(hypervolume_at(*run, budget) - mean, 2);
      summary.mean.push_back(mean);
      summary.stddev.push_back(summary.runs > 1 ? std::sqrt(squares / static_cast<double>(summary.runs - 1)) : 0.0);
    }
  }
  return summaries;
}

std::vector<double> default_budgets(const std::vector<RunCurve>& runs, size_t count) {
  double smallest = INFINITY;
  for (const RunCurve& run : runs) smallest = std::min(smallest, run.evaluations.back());
  std::vector<double> budgets;
  for (size_t i = 1; i <= count; ++i)
    budgets.push_back(std::round(smallest * static_cast<double>(i) / static_cast<double>(count)));
  budgets.erase(std::unique(budgets.begin(), budgets.end()), budgets.end());
  return budgets;
}

std::string format_table(const std::vector<StrategySummary>& summaries, const std::vector<double>& budgets) {
  std::string text = fmt::format("{:<24} {:>4}", "strategy", "runs");
  for (double budget : budgets) text += fmt::format("  {:>21}", fmt::format("HV @ {:.0f}", budget));
  text += "\n";
  for (const StrategySummary& summary : summaries) {
    text += fmt::format("{:<24} {:>4}", summary.strategy, summary.runs);
    for (size_t b = 0; b < budgets.size(); ++b)
      text += fmt::format("  {:>21}", fmt::format("{:.6f} ± {:.6f}", summary.mean[b], summary.stddev[b]));
    text += "\n";
  }
  return text;
}

std::string render_svg(const std::vector<RunCurve>& runs) {
  double max_evaluations = 0;
  for (const RunCurve& run : runs) max_evaluations = std::max(max_evaluations, run.evaluations.back());
  // Each strategy's mean curve on a common grid of budgets.
  constexpr int kSteps = 200;
  std::vector<double> grid;
  for (int i = 0; i <= kSteps; ++i) grid.push_back(max_evaluations * i / kSteps);
  // Bands (mean ± one standard deviation over seeds) first, so that every
  // mean line is drawn over them.
  const std::vector<StrategySummary> summaries = summarize(runs, grid);
  std::vector<svg::Series> bands, lines;
  for (size_t g = 0; g < summaries.size(); ++g) {
    const StrategySummary& summary = summaries[g];
    const char* colour = svg::palette(g);
    if (summary.runs > 1) {
      svg::Series band{"", colour, svg::SeriesStyle::kBand, grid, {}, {}};
      for (size_t i = 0; i < grid.size(); ++i) band.y.push_back(summary.mean[i] + summary.stddev[i]);
      for (size_t i = grid.size(); i-- > 0;) {
        band.x.push_back(grid[i]);
        band.y.push_back(summary.mean[i] - summary.stddev[i]);
      }
      bands.push_back(std::move(band));
    }
    lines.push_back({fmt::format("{} ({} runs)", summary.strategy, summary.runs), colour, svg::SeriesStyle::kLine,
                     grid, summary.mean, {}});
  }
  bands.insert(bands.end(), lines.begin(), lines.end());
  svg::ChartOptions options;
  options.width = 720;
  options.height = 440;
  options.x_label = "evaluations";
  options.y_label = "hypervolume: mean over seeds, band ± 1 sd";
  return svg::render_chart(options, bands);
}

}  // namespace gos::compare
