#include "cli/adapt_report.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "framework/error.h"
#include "framework/svg_chart.h"
#include "searchspaces/gos/graph.h"

namespace gos::report {
namespace {

std::string fmt_number(double value, const char* spec = "{:.2f}") {
  return std::isfinite(value) ? fmt::format(fmt::runtime(spec), value) : "–";
}

std::string fmt_count(double value) {
  if (!std::isfinite(value)) return "–";
  if (std::abs(value) >= 1e6) return fmt::format("{:.2f} M", value / 1e6);
  if (std::abs(value) >= 1e3) return fmt::format("{:.1f} k", value / 1e3);
  return fmt::format("{:.0f}", value);
}

std::string esc(const std::string& text) { return svg::xml_escape(text); }

std::string status_badge(const std::string& status) {
  static const std::map<std::string, std::string> colours = {
      {"accepted", "#59a14f"}, {"rejected", "#e15759"},  {"infeasible", "#f28e2b"}, {"unsupported", "#bab0ac"},
      {"no_gain", "#76b7b2"},  {"completed", "#59a14f"}, {"running", "#4e79a7"},    {"failed", "#e15759"},
      {"pending", "#edc948"},  {"reverted", "#b07aa1"}};
  const auto it = colours.find(status);
  return fmt::format("<span class=\"badge\" style=\"background:{}\">{}</span>",
                     it == colours.end() ? "#888" : it->second, esc(status.empty() ? "?" : status));
}

std::string iteration_name(size_t index) { return fmt::format("{:03}", index); }

// The model's latency after each iteration, starting from the baseline: the
// line a reader wants first ("did it get faster, and when").
std::string latency_trend_chart(const adapt::AdaptRecord& run) {
  svg::Series latency{"latency (ms)", svg::palette(0), svg::SeriesStyle::kLineAndMarkers, {}, {}, {}};
  double current = run.baseline ? run.baseline->latency_ms : std::nan("");
  latency.x.push_back(0);
  latency.y.push_back(current);
  latency.tooltips.push_back(fmt::format("baseline: {} ms", fmt_number(current, "{:.3f}")));
  for (size_t i = 0; i < run.iterations.size(); ++i) {
    const adapt::IterationRecord& it = run.iterations[i];
    if (it.status == adapt::IterationStatus::kAccepted) current = it.latency_after_ms;
    latency.x.push_back(static_cast<double>(i + 1));
    latency.y.push_back(current);
    latency.tooltips.push_back(fmt::format("iteration {} ({}, {}): {} ms", iteration_name(i), it.slot, adapt::to_string(it.status),
                                           fmt_number(current, "{:.3f}")));
  }
  svg::ChartOptions options;
  options.width = 560;
  options.height = 300;
  options.title = "Model latency after each iteration";
  options.x_label = "iteration";
  options.x_integer_ticks = true;
  options.y_label = "latency (ms)";
  return svg::render_chart(options, {latency});
}

std::string front_chart(const adapt::IterationRecord& it) {
  svg::Series feasible{"feasible", svg::palette(0), svg::SeriesStyle::kMarkers, {}, {}, {}};
  svg::Series infeasible{"drop > epsilon", "#bab0ac", svg::SeriesStyle::kMarkers, {}, {}, {}};
  svg::Series chosen{"chosen", svg::palette(1), svg::SeriesStyle::kStar, {}, {}, {}};
  for (const adapt::FrontEntry& p : it.front) {
    svg::Series& series = p.feasible ? feasible : infeasible;
    series.x.push_back(p.latency_ms);
    series.y.push_back(p.params);
    series.tooltips.push_back(fmt::format("{} ms, {} params, drop {} points\n{}", fmt_number(p.latency_ms, "{:.3f}"),
                                          fmt_count(p.params), fmt_number(p.accuracy_drop), p.genome));
    if (!it.chosen_genome.empty() && p.genome == it.chosen_genome) {
      chosen.x.push_back(p.latency_ms);
      chosen.y.push_back(p.params);
    }
  }
  svg::ChartOptions options;
  options.width = 560;
  options.height = 320;
  options.title = fmt::format("Final front, slot {}", it.slot);
  options.x_label = "latency of the adapted model (ms)";
  options.y_label = "parameters of the adapted model";
  options.x_from_zero = false;
  options.y_from_zero = false;
  return svg::render_chart(options, {feasible, infeasible, chosen});
}

std::string summary_table(const adapt::AdaptRecord& run) {
  const double nan = std::nan("");
  const adapt::BaselineRecord* before = run.baseline ? &*run.baseline : nullptr;
  const adapt::FinalRecord* after = run.final ? &*run.final : nullptr;
  auto row = [](const char* label, const std::string& a, const std::string& b) {
    return fmt::format("<tr><th>{}</th><td>{}</td><td>{}</td></tr>\n", label, a, b);
  };
  std::string out = "<table class=\"summary\"><tr><th></th><th>before</th><th>after</th></tr>\n";
  out += row("latency (batch 1, measured)", fmt_number(before ? before->latency_ms : nan, "{:.3f} ms"),
             fmt_number(after ? after->latency_ms : nan, "{:.3f} ms"));
  out += row("parameters", fmt_count(before ? static_cast<double>(before->params) : nan),
             fmt_count(after ? static_cast<double>(after->params) : nan));
  out += row("accuracy, held-out", fmt_number(before ? before->accuracy : nan, "{:.2f} %"),
             fmt_number(after ? after->accuracy : nan, "{:.2f} %"));
  out += row("accuracy, test", fmt_number(before ? before->test_accuracy : nan, "{:.2f} %"),
             fmt_number(after ? after->test_accuracy : nan, "{:.2f} %"));
  out += fmt::format("<tr><th>speedup</th><td colspan=\"2\">{}</td></tr>\n",
                     fmt_number(after ? after->speedup : nan, "{:.2f}x"));
  if (after && std::isfinite(after->estimated_speedup) && std::abs(after->estimated_speedup - after->speedup) > 1e-9)
    out += fmt::format("<tr><th>speedup, latency model's estimate</th><td colspan=\"2\">{}</td></tr>\n",
                       fmt_number(after->estimated_speedup, "{:.2f}x"));
  out += fmt::format("<tr><th>operators replaced</th><td colspan=\"2\">{}</td></tr>\n",
                     after ? std::to_string(after->modified) : "–");
  out += "</table>\n";
  if (after && std::isfinite(after->baseline_latency_ms))
    out += fmt::format("<p>The speedup compares the final model with the baseline re-measured alongside it "
                       "({} ms), so that both figures share the machine's state.</p>\n",
                       fmt_number(after->baseline_latency_ms, "{:.3f}"));
  if (!after)
    out += "<p class=\"note\">No final figures yet: the run is still going, or it stopped before finishing "
           "(see its status). Iterations written so far are shown below.</p>\n";
  return out;
}

std::string iteration_table(const adapt::AdaptRecord& run) {
  std::string out =
      "<table><tr><th>#</th><th>slot</th><th>kind</th><th>status</th><th>latency before → after (ms)</th>"
      "<th>params before → after</th><th>acc. estimate</th><th>acc. after fine-tune</th><th>evaluations</th>"
      "<th>search (s)</th><th>fine-tune (s)</th></tr>\n";
  for (size_t i = 0; i < run.iterations.size(); ++i) {
    const adapt::IterationRecord& it = run.iterations[i];
    out += fmt::format(
        "<tr><td><a href=\"#it{0}\">{0}</a></td><td><code>{1}</code></td><td>{2}</td><td>{3}</td><td>{4} → {5}</td>"
        "<td>{6} → {7}</td><td>{8}</td><td>{9}</td><td>{10}</td><td>{11}</td><td>{12}</td></tr>\n",
        iteration_name(i), esc(it.slot), esc(it.slot_kind), status_badge(adapt::to_string(it.status)),
        fmt_number(it.latency_before_ms, "{:.3f}"), fmt_number(it.latency_after_ms, "{:.3f}"),
        fmt_count(static_cast<double>(it.params_before)), fmt_count(static_cast<double>(it.params_after)),
        fmt_number(it.accuracy_estimate, "{:.2f} %"), fmt_number(it.accuracy_after, "{:.2f} %"), it.evaluations,
        fmt_number(it.search_seconds, "{:.1f}"), fmt_number(it.finetune_seconds, "{:.1f}"));
  }
  return out + "</table>\n";
}

std::string profile_table(const adapt::BaselineRecord& baseline, size_t rows) {
  std::vector<size_t> order(baseline.slots.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return baseline.slots[a].inefficiency > baseline.slots[b].inefficiency;
  });
  if (order.size() > rows) order.resize(rows);
  std::string out =
      "<table><tr><th>rank</th><th>slot</th><th>kind</th><th>latency (ms)</th><th>share</th><th>params</th>"
      "<th>inefficiency</th></tr>\n";
  for (size_t r = 0; r < order.size(); ++r) {
    const adapt::SlotRecord& s = baseline.slots[order[r]];
    out += fmt::format(
        "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td><span class=\"bar\" "
        "style=\"width:{:.0f}px\"></span> {}</td><td>{}</td><td>{}</td></tr>\n",
        r + 1, esc(s.path), esc(s.kind), fmt_number(s.latency_ms, "{:.3f}"), std::clamp(s.share * 300, 0.0, 300.0),
        fmt_number(100 * s.share, "{:.1f} %"), fmt_count(static_cast<double>(s.params)),
        fmt_number(s.inefficiency, "{:.2f}"));
  }
  return out + "</table>\n";
}

std::string iteration_section(size_t index, const adapt::IterationRecord& it, const ReportOptions& options) {
  std::string out = fmt::format("<section id=\"it{0}\"><h3>Iteration {0}: <code>{1}</code> {2}</h3>\n",
                                iteration_name(index), esc(it.slot), status_badge(adapt::to_string(it.status)));
  out += fmt::format("<p>{} {} → {}; search file <code>{}</code>.</p>\n", esc(it.slot_kind), esc(it.input),
                     esc(it.output), esc(it.search_file.empty() ? "–" : it.search_file));
  if (!it.reason.empty()) out += fmt::format("<p>{}</p>\n", esc(it.reason));
  if (!it.front.empty()) out += "<div class=\"chart\">" + front_chart(it) + "</div>\n";
  out += "<div class=\"graphs\">";
  for (const auto& [title, genome] :
       {std::pair{"original operator", it.seed_genome}, std::pair{"chosen replacement", it.chosen_genome}}) {
    if (genome.empty()) continue;
    std::string drawing;
    try {
      drawing = draw_genome(genome, title, options);
    } catch (const Error& e) {
      drawing = fmt::format("<p class=\"note\">cannot draw this genome: {}</p>", esc(e.what()));
    }
    out += fmt::format("<figure><figcaption>{}</figcaption>{}<pre class=\"genome\">{}</pre></figure>", title,
                       drawing, esc(genome));
  }
  out += "</div>\n";
  if (it.chosen_genome.empty() && !it.front.empty()) {
    // Nothing met the constraint (or nothing beat the current model): say
    // which candidates came closest, as the issue asks for infeasible slots.
    std::vector<adapt::FrontEntry> closest = it.front;
    std::sort(closest.begin(), closest.end(), [](const adapt::FrontEntry& a, const adapt::FrontEntry& b) {
      return std::tie(a.accuracy_drop, a.latency_ms) < std::tie(b.accuracy_drop, b.latency_ms);
    });
    closest.resize(std::min<size_t>(closest.size(), 3));
    out += "<p>No candidate was chosen. Closest candidates (lowest accuracy drop first):</p><ul>";
    for (const adapt::FrontEntry& p : closest)
      out += fmt::format("<li>drop {} points, {} ms, {} params: <code>{}</code></li>", fmt_number(p.accuracy_drop),
                         fmt_number(p.latency_ms, "{:.3f}"), fmt_count(p.params), esc(p.genome));
    out += "</ul>\n";
  }
  return out + "</section>\n";
}

constexpr const char* kStyle = R"(<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
table.summary td { text-align: right; min-width: 8em; }
.badge { color: white; border-radius: 3px; padding: 1px 6px; font-size: 12px; }
.bar { display: inline-block; height: 10px; background: #4e79a7; }
.graphs { display: flex; flex-wrap: wrap; gap: 2em; }
figure { margin: 0; } figcaption { font-weight: bold; margin-bottom: .5em; }
pre.genome { white-space: pre-wrap; word-break: break-all; max-width: 520px; font-size: 11px; color: #555; }
.note { color: #a60; }
</style>
)";

}  // namespace

std::string draw_genome(const std::string& genome, const std::string& title, const ReportOptions& options) {
  graph::Graph parsed = graph::parse(genome, graph::GraphSpec{graph::kAnyShape, graph::kAnyShape, 1 << 20});
  const std::string dot = graph::to_dot(parsed, title);
  const std::string fallback = "<pre>" + esc(dot) + "</pre>";
  if (!std::filesystem::exists(options.dot_program)) return fallback;
  // dot reads a file and writes one; temporary names from mkstemp keep
  // concurrent reports apart.
  char in_name[] = "/tmp/gos-report-XXXXXX";
  const int fd = mkstemp(in_name);
  if (fd < 0) return fallback;
  close(fd);
  const std::string out_name = std::string(in_name) + ".svg";
  std::ofstream(in_name) << dot;
  const std::string command =
      fmt::format("'{}' -Tsvg '{}' -o '{}' 2>/dev/null", options.dot_program.string(), in_name, out_name);
  const int status = std::system(command.c_str());
  std::stringstream svg_text;
  if (status == 0) svg_text << std::ifstream(out_name).rdbuf();
  std::remove(in_name);
  std::remove(out_name.c_str());
  std::string svg = svg_text.str();
  const size_t start = svg.find("<svg");
  return status == 0 && start != std::string::npos ? svg.substr(start) : fallback;
}

std::filesystem::path adapt_file(const std::filesystem::path& file_or_directory) {
  return std::filesystem::is_directory(file_or_directory) ? file_or_directory / "adapt.h5" : file_or_directory;
}

std::filesystem::path write_report(const std::filesystem::path& run, const std::filesystem::path& target,
                                   const ReportOptions& options) {
  const std::filesystem::path file = adapt_file(run);
  const adapt::AdaptRecord record = adapt::read_adapt_file(file);
  const std::filesystem::path path = target.empty() ? file.parent_path() / "report.html" : target;
  std::ofstream out(path);
  if (!out || !(out << render_report(record, file, options)))
    throw Error(fmt::format("cannot write report '{}'", path.string()));
  return path;
}

std::string render_report(const adapt::AdaptRecord& run, const std::filesystem::path& file,
                          const ReportOptions& options) {
  const adapt::RunInfo& info = run.info;
  std::string html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>GOS adapt: " + esc(info.model) +
                     "</title>\n" + kStyle + "</head><body>\n";
  html += fmt::format("<h1>GOS adapt: {} {}</h1>\n", esc(info.model), status_badge(adapt::to_string(info.status)));
  html += fmt::format(
      "<p>Accuracy estimate during search: <b>{}</b>; constraint: accuracy drop ≤ {} points. Started {}, ended {}. "
      "File <code>{}</code>.</p>\n",
      esc(info.accuracy_estimate), fmt_number(info.epsilon), esc(info.start_time),
      esc(info.end_time.empty() ? "–" : info.end_time), esc(file.string()));
  if (!info.strategy.empty())
    html += fmt::format("<p>Inner search: <b>{}</b>; latencies: {}.</p>\n", esc(info.strategy),
                        esc(info.latency_model));
  if (!info.stop_reason.empty()) html += fmt::format("<p>Stopped because: {}</p>\n", esc(info.stop_reason));
  html += fmt::format("<p>Device: {} ({} cores, {} threads used, {}).</p>\n", esc(info.device), info.device_cores,
                      info.device_threads, esc(info.device_cpu_model));

  html += "<h2>Before and after</h2>\n" + summary_table(run);
  if (run.final && !run.final->torchscript.empty())
    html += fmt::format("<p>Adapted model exported as TorchScript: <code>{}</code>.</p>\n", esc(run.final->torchscript));
  html += "<div class=\"chart\">" + latency_trend_chart(run) + "</div>\n";
  html += "<h2>Iterations</h2>\n" + iteration_table(run);
  for (size_t i = 0; i < run.iterations.size(); ++i) html += iteration_section(i, run.iterations[i], options);
  if (run.baseline && !run.baseline->slots.empty())
    html += fmt::format("<h2>Baseline profile: the {} least efficient slots</h2>\n",
                        std::min(run.baseline->slots.size(), options.profile_rows)) +
            profile_table(*run.baseline, options.profile_rows);
  if (!info.config_toml.empty())
    html += "<details><summary>Configuration</summary><pre>" + esc(info.config_toml) + "</pre></details>\n";
  return html + "</body></html>\n";
}

}  // namespace gos::report
