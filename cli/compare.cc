#include "cli/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <toml++/toml.h>

#include "framework/error.h"
#include "framework/results.h"

namespace gos::compare {

RunCurve load_run(const std::filesystem::path& file) {
  const RunResults results = read_results(file);
  RunCurve run;
  run.file = file.string();
  run.seed = results.metadata.seed;
  toml::table config;
  try {
    config = toml::parse(results.metadata.config_toml, file.string() + " (experiment_toml)");
  } catch (const toml::parse_error& e) {
    throw Error(fmt::format("{}: the stored experiment is not valid TOML: {}", file.string(), e.description()));
  }
  const auto strategy = config["strategy"]["plugin"].value<std::string>();
  if (!strategy) throw Error(fmt::format("{}: the stored experiment has no [strategy] plugin", file.string()));
  run.strategy = *strategy;
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

namespace {

// Escapes text for SVG element content.
std::string xml_escape(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

}  // namespace

std::string render_svg(const std::vector<RunCurve>& runs) {
  constexpr double kWidth = 720, kHeight = 440, kLeft = 80, kRight = 200, kTop = 30, kBottom = 60;
  constexpr const char* kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
                                      "#7f7f7f"};
  double max_evaluations = 0, max_hypervolume = 0;
  for (const RunCurve& run : runs) {
    max_evaluations = std::max(max_evaluations, run.evaluations.back());
    for (double v : run.hypervolume) max_hypervolume = std::max(max_hypervolume, v);
  }
  if (max_hypervolume <= 0) max_hypervolume = 1;
  const double plot_width = kWidth - kLeft - kRight, plot_height = kHeight - kTop - kBottom;
  auto x_of = [&](double evaluations) { return kLeft + plot_width * evaluations / max_evaluations; };
  auto y_of = [&](double hypervolume) { return kTop + plot_height * (1 - hypervolume / max_hypervolume); };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      kWidth, kHeight);
  svg += fmt::format("<path d=\"M{0} {1} V{2} H{3}\" stroke=\"black\" fill=\"none\"/>\n", kLeft, kTop,
                     kTop + plot_height, kLeft + plot_width);
  for (int tick = 0; tick <= 5; ++tick) {
    const double fraction = tick / 5.0;
    const double x = kLeft + plot_width * fraction, y = kTop + plot_height * (1 - fraction);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{:.0f}</text>\n", x,
                       kTop + plot_height + 18, max_evaluations * fraction);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{:.4g}</text>\n", kLeft - 6, y + 4,
                       max_hypervolume * fraction);
    svg += fmt::format("<path d=\"M{0:.1f} {1:.1f} H{2:.1f}\" stroke=\"#ddd\"/>\n", kLeft, y, kLeft + plot_width);
  }
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">evaluations</text>\n",
                     kLeft + plot_width / 2, kHeight - 15);
  svg += fmt::format(
      "<text transform=\"translate(18 {:.1f}) rotate(-90)\" text-anchor=\"middle\">hypervolume (mean over "
      "seeds)</text>\n",
      kTop + plot_height / 2);

  // Each strategy's mean curve on a common grid of budgets.
  constexpr int kSteps = 200;
  std::vector<double> grid;
  for (int i = 0; i <= kSteps; ++i) grid.push_back(max_evaluations * i / kSteps);
  const auto summaries = summarize(runs, grid);
  for (size_t s = 0; s < summaries.size(); ++s) {
    const char* colour = kColours[s % std::size(kColours)];
    std::string points;
    for (size_t i = 0; i < grid.size(); ++i)
      points += fmt::format("{:.1f},{:.1f} ", x_of(grid[i]), y_of(summaries[s].mean[i]));
    svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>\n", colour, points);
    const double legend_y = kTop + 10 + 20 * static_cast<double>(s);
    svg += fmt::format("<path d=\"M{0:.1f} {1:.1f} h24\" stroke=\"{2}\" stroke-width=\"3\"/>\n",
                       kLeft + plot_width + 15, legend_y, colour);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{} ({} runs)</text>\n", kLeft + plot_width + 45, legend_y + 4,
                       xml_escape(summaries[s].strategy), summaries[s].runs);
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace gos::compare
