#include "cli/adapt_report.h"

#include <H5Cpp.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <tuple>

#include "framework/error.h"
#include "framework/svg_chart.h"
#include "searchspaces/gos/graph.h"

namespace gos::report {
namespace {

constexpr int64_t kSchemaVersion = 1;

// Opens without HDF5's file lock so that reading a running adapt (to watch
// its progress) never makes the writer's next append fail.
H5::H5File open_without_lock(const std::filesystem::path& path) {
  H5::FileAccPropList access;
  H5Pset_file_locking(access.getId(), false, true);
  return H5::H5File(path.string(), H5F_ACC_RDONLY, H5::FileCreatPropList::DEFAULT, access);
}

// Every scalar attribute of `object`, split into text and numbers (integers
// and floats both read as double); other attributes are ignored.
void read_attributes(const H5::H5Object& object, std::map<std::string, std::string>& text,
                     std::map<std::string, double>& number) {
  for (int i = 0; i < object.getNumAttrs(); ++i) {
    H5::Attribute attribute = object.openAttribute(static_cast<unsigned>(i));
    if (attribute.getSpace().getSimpleExtentNpoints() != 1) continue;
    switch (attribute.getTypeClass()) {
      case H5T_STRING: {
        std::string value;
        attribute.read(attribute.getStrType(), value);
        text[attribute.getName()] = value;
        break;
      }
      case H5T_INTEGER:
      case H5T_FLOAT: {
        double value = 0;
        attribute.read(H5::PredType::NATIVE_DOUBLE, &value);
        number[attribute.getName()] = value;
        break;
      }
      default: break;
    }
  }
}

bool has_dataset(const H5::Group& group, const std::string& name) {
  return group.nameExists(name) && group.childObjType(name) == H5O_TYPE_DATASET;
}

std::vector<double> read_numbers(const H5::Group& group, const std::string& name, const std::string& file) {
  if (!has_dataset(group, name)) return {};
  H5::DataSet dataset = group.openDataSet(name);
  const H5T_class_t type = dataset.getTypeClass();
  if (type != H5T_INTEGER && type != H5T_FLOAT)
    throw Error(fmt::format("{}: dataset '{}' is not numeric", file, group.getObjName() + "/" + name));
  std::vector<double> values(static_cast<size_t>(dataset.getSpace().getSimpleExtentNpoints()));
  if (!values.empty()) dataset.read(values.data(), H5::PredType::NATIVE_DOUBLE);
  return values;
}

std::vector<std::string> read_texts(const H5::Group& group, const std::string& name, const std::string& file) {
  if (!has_dataset(group, name)) return {};
  H5::DataSet dataset = group.openDataSet(name);
  if (dataset.getTypeClass() != H5T_STRING)
    throw Error(fmt::format("{}: dataset '{}' is not text", file, group.getObjName() + "/" + name));
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  std::vector<char*> raw(static_cast<size_t>(dataset.getSpace().getSimpleExtentNpoints()), nullptr);
  if (raw.empty()) return {};
  dataset.read(raw.data(), type);
  std::vector<std::string> values;
  for (char* p : raw) values.emplace_back(p ? p : "");
  H5::DataSet::vlenReclaim(raw.data(), type, dataset.getSpace());
  return values;
}

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

double lookup(const std::map<std::string, double>& values, const std::string& key) {
  const auto it = values.find(key);
  return it == values.end() ? std::nan("") : it->second;
}

std::string lookup(const std::map<std::string, std::string>& values, const std::string& key) {
  const auto it = values.find(key);
  return it == values.end() ? std::string() : it->second;
}

std::string status_badge(const std::string& status) {
  static const std::map<std::string, std::string> colours = {
      {"accepted", "#59a14f"}, {"rejected", "#e15759"}, {"infeasible", "#f28e2b"},
      {"unsupported", "#bab0ac"}, {"no_gain", "#76b7b2"}, {"completed", "#59a14f"},
      {"running", "#4e79a7"},   {"failed", "#e15759"}};
  const auto it = colours.find(status);
  return fmt::format("<span class=\"badge\" style=\"background:{}\">{}</span>",
                     it == colours.end() ? "#888" : it->second, esc(status.empty() ? "?" : status));
}

// The model's latency after each iteration, starting from the baseline: the
// line a reader wants first ("did it get faster, and when").
std::string latency_trend_chart(const AdaptRun& run) {
  svg::Series latency{"latency (ms)", svg::palette(0), svg::SeriesStyle::kLineAndMarkers, {}, {}, {}};
  double current = lookup(run.baseline, "latency_ms");
  latency.x.push_back(0);
  latency.y.push_back(current);
  latency.tooltips.push_back(fmt::format("baseline: {} ms", fmt_number(current)));
  for (size_t i = 0; i < run.iterations.size(); ++i) {
    const Iteration& it = run.iterations[i];
    if (it.text_or("status") == "accepted") current = it.number_or_nan("latency_after_ms");
    latency.x.push_back(static_cast<double>(i + 1));
    latency.y.push_back(current);
    latency.tooltips.push_back(
        fmt::format("iteration {} ({}, {}): {} ms", it.name, it.text_or("slot"), it.text_or("status"), fmt_number(current)));
  }
  svg::ChartOptions options;
  options.width = 560;
  options.height = 300;
  options.title = "Model latency after each iteration";
  options.x_label = "iteration";
  options.y_label = "latency (ms)";
  return svg::render_chart(options, {latency});
}

std::string front_chart(const Iteration& it) {
  svg::Series feasible{"feasible", svg::palette(0), svg::SeriesStyle::kMarkers, {}, {}, {}};
  svg::Series infeasible{"drop > epsilon", "#bab0ac", svg::SeriesStyle::kMarkers, {}, {}, {}};
  svg::Series chosen{"chosen", svg::palette(1), svg::SeriesStyle::kStar, {}, {}, {}};
  const std::string chosen_genome = it.text_or("chosen_genome");
  for (const FrontPoint& p : it.front) {
    svg::Series& series = p.feasible ? feasible : infeasible;
    series.x.push_back(p.latency_ms);
    series.y.push_back(p.params);
    series.tooltips.push_back(fmt::format("{} ms, {} params, drop {} points\n{}", fmt_number(p.latency_ms, "{:.3f}"),
                                          fmt_count(p.params), fmt_number(p.accuracy_drop), p.genome));
    if (!chosen_genome.empty() && p.genome == chosen_genome) {
      chosen.x.push_back(p.latency_ms);
      chosen.y.push_back(p.params);
    }
  }
  svg::ChartOptions options;
  options.width = 560;
  options.height = 320;
  options.title = fmt::format("Final front, slot {}", it.text_or("slot"));
  options.x_label = "latency of the adapted model (ms)";
  options.y_label = "parameters of the adapted model";
  options.x_from_zero = false;
  options.y_from_zero = false;
  return svg::render_chart(options, {feasible, infeasible, chosen});
}

std::string summary_table(const AdaptRun& run) {
  const std::map<std::string, double> none;
  const auto& after = run.final_figures ? *run.final_figures : none;
  auto row = [&](const char* label, const char* key, auto format) {
    const double before = lookup(run.baseline, key), now = lookup(after, key);
    return fmt::format("<tr><th>{}</th><td>{}</td><td>{}</td></tr>\n", label, format(before), format(now));
  };
  auto ms = [](double v) { return fmt_number(v, "{:.3f} ms"); };
  auto pct = [](double v) { return fmt_number(v, "{:.2f} %"); };
  std::string out = "<table class=\"summary\"><tr><th></th><th>before</th><th>after</th></tr>\n";
  out += row("latency (batch 1, measured)", "latency_ms", ms);
  out += row("parameters", "params", fmt_count);
  out += row("accuracy, held-out", "accuracy", pct);
  out += row("accuracy, test", "test_accuracy", pct);
  out += fmt::format("<tr><th>speedup</th><td colspan=\"2\">{}</td></tr>\n", fmt_number(lookup(after, "speedup"), "{:.2f}x"));
  out += fmt::format("<tr><th>operators replaced</th><td colspan=\"2\">{}</td></tr>\n",
                     fmt_number(lookup(after, "modified"), "{:.0f}"));
  out += "</table>\n";
  if (!run.final_figures)
    out += "<p class=\"note\">No final figures yet: the run is still going, or it stopped before finishing "
           "(see its status). Iterations written so far are shown below.</p>\n";
  return out;
}

std::string iteration_table(const AdaptRun& run) {
  std::string out =
      "<table><tr><th>#</th><th>slot</th><th>kind</th><th>status</th><th>latency before → after (ms)</th>"
      "<th>params before → after</th><th>acc. estimate</th><th>acc. after fine-tune</th><th>evaluations</th>"
      "<th>search (s)</th><th>fine-tune (s)</th></tr>\n";
  for (const Iteration& it : run.iterations)
    out += fmt::format(
        "<tr><td><a href=\"#it{0}\">{0}</a></td><td><code>{1}</code></td><td>{2}</td><td>{3}</td><td>{4} → {5}</td>"
        "<td>{6} → {7}</td><td>{8}</td><td>{9}</td><td>{10}</td><td>{11}</td><td>{12}</td></tr>\n",
        esc(it.name), esc(it.text_or("slot")), esc(it.text_or("slot_kind")), status_badge(it.text_or("status")),
        fmt_number(it.number_or_nan("latency_before_ms"), "{:.3f}"),
        fmt_number(it.number_or_nan("latency_after_ms"), "{:.3f}"), fmt_count(it.number_or_nan("params_before")),
        fmt_count(it.number_or_nan("params_after")), fmt_number(it.number_or_nan("accuracy_estimate"), "{:.2f} %"),
        fmt_number(it.number_or_nan("accuracy_after"), "{:.2f} %"), fmt_number(it.number_or_nan("evaluations"), "{:.0f}"),
        fmt_number(it.number_or_nan("search_seconds"), "{:.1f}"),
        fmt_number(it.number_or_nan("finetune_seconds"), "{:.1f}"));
  return out + "</table>\n";
}

std::string profile_table(const AdaptRun& run, size_t rows) {
  std::vector<size_t> order(run.profile.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return run.profile[a].inefficiency > run.profile[b].inefficiency; });
  if (order.size() > rows) order.resize(rows);
  std::string out =
      "<table><tr><th>rank</th><th>slot</th><th>kind</th><th>latency (ms)</th><th>share</th><th>params</th>"
      "<th>inefficiency</th></tr>\n";
  for (size_t r = 0; r < order.size(); ++r) {
    const SlotProfileRow& s = run.profile[order[r]];
    out += fmt::format(
        "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td><span class=\"bar\" "
        "style=\"width:{:.0f}px\"></span> {}</td><td>{}</td><td>{}</td></tr>\n",
        r + 1, esc(s.path), esc(s.kind), fmt_number(s.latency_ms, "{:.3f}"), std::clamp(s.share * 300, 0.0, 300.0),
        fmt_number(100 * s.share, "{:.1f} %"), fmt_count(s.params), fmt_number(s.inefficiency, "{:.2f}"));
  }
  return out + "</table>\n";
}

std::string iteration_section(const Iteration& it, const ReportOptions& options) {
  std::string out = fmt::format("<section id=\"it{0}\"><h3>Iteration {0}: <code>{1}</code> {2}</h3>\n", esc(it.name),
                                esc(it.text_or("slot")), status_badge(it.text_or("status")));
  out += fmt::format("<p>{} {} → {}; search file <code>{}</code>.</p>\n", esc(it.text_or("slot_kind")),
                     esc(it.text_or("input")), esc(it.text_or("output")), esc(it.text_or("search_file")));
  if (!it.text_or("reason").empty()) out += fmt::format("<p>{}</p>\n", esc(it.text_or("reason")));
  if (!it.front.empty()) out += "<div class=\"chart\">" + front_chart(it) + "</div>\n";
  const std::string seed = it.text_or("seed_genome"), chosen = it.text_or("chosen_genome");
  out += "<div class=\"graphs\">";
  for (const auto& [title, genome] : {std::pair{"original operator", seed}, std::pair{"chosen replacement", chosen}}) {
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
  if (chosen.empty() && !it.front.empty()) {
    // Nothing met the constraint (or nothing beat the current model): say
    // which candidates came closest, as the issue asks for infeasible slots.
    std::vector<FrontPoint> closest = it.front;
    std::sort(closest.begin(), closest.end(), [](const FrontPoint& a, const FrontPoint& b) {
      return std::tie(a.accuracy_drop, a.latency_ms) < std::tie(b.accuracy_drop, b.latency_ms);
    });
    closest.resize(std::min<size_t>(closest.size(), 3));
    out += "<p>No candidate was chosen. Closest candidates (lowest accuracy drop first):</p><ul>";
    for (const FrontPoint& p : closest)
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

std::string Iteration::text_or(const std::string& key, const std::string& fallback) const {
  const auto it = text.find(key);
  return it == text.end() ? fallback : it->second;
}

double Iteration::number_or_nan(const std::string& key) const { return lookup(number, key); }

AdaptRun read_adapt_run(const std::filesystem::path& file_or_directory) {
  const std::filesystem::path file = std::filesystem::is_directory(file_or_directory)
                                         ? file_or_directory / "adapt.h5"
                                         : file_or_directory;
  const std::string name = file.string();
  if (!std::filesystem::exists(file)) throw Error(fmt::format("adapt results '{}' do not exist", name));
  H5::Exception::dontPrint();
  AdaptRun run;
  run.file = file;
  try {
    H5::H5File h5 = open_without_lock(file);
    H5::Group root = h5.openGroup("/");
    read_attributes(root, run.text, run.number);
    if (lookup(run.text, "schema") != "gos-adapt")
      throw Error(fmt::format("'{}' is not a gos adapt results file (its 'schema' attribute is '{}', expected "
                              "'gos-adapt'; for search results use 'gos compare' or h5py)",
                              name, lookup(run.text, "schema")));
    const double version = lookup(run.number, "schema_version");
    if (version != kSchemaVersion)
      throw Error(fmt::format("'{}': adapt schema version {}, this build reads version {}", name,
                              fmt_number(version, "{:.0f}"), kSchemaVersion));
    if (h5.nameExists("baseline")) {
      H5::Group baseline = h5.openGroup("baseline");
      std::map<std::string, std::string> ignored;
      read_attributes(baseline, ignored, run.baseline);
      const auto paths = read_texts(baseline, "path", name);
      const auto kinds = read_texts(baseline, "kind", name);
      const auto latency = read_numbers(baseline, "latency_ms", name);
      const auto share = read_numbers(baseline, "share", name);
      const auto inefficiency = read_numbers(baseline, "inefficiency", name);
      const auto params = read_numbers(baseline, "params", name);
      for (size_t i = 0; i < paths.size(); ++i) {
        auto at = [&](const std::vector<double>& v) { return i < v.size() ? v[i] : std::nan(""); };
        run.profile.push_back({paths[i], i < kinds.size() ? kinds[i] : "", at(latency), at(share), at(inefficiency),
                               at(params)});
      }
    }
    if (h5.nameExists("iterations")) {
      H5::Group iterations = h5.openGroup("iterations");
      std::vector<std::string> names;
      for (hsize_t i = 0; i < iterations.getNumObjs(); ++i) names.push_back(iterations.getObjnameByIdx(i));
      std::sort(names.begin(), names.end());
      for (const std::string& group_name : names) {
        H5::Group group = iterations.openGroup(group_name);
        Iteration it;
        it.name = group_name;
        read_attributes(group, it.text, it.number);
        const auto genomes = read_texts(group, "front_genome", name);
        const auto latency = read_numbers(group, "front_latency_ms", name);
        const auto params = read_numbers(group, "front_params", name);
        const auto drop = read_numbers(group, "front_accuracy_drop", name);
        const auto feasible = read_numbers(group, "front_feasible", name);
        for (size_t i = 0; i < genomes.size(); ++i) {
          auto at = [&](const std::vector<double>& v) { return i < v.size() ? v[i] : std::nan(""); };
          it.front.push_back({genomes[i], at(latency), at(params), at(drop), at(feasible) == 1});
        }
        run.iterations.push_back(std::move(it));
      }
    }
    if (h5.nameExists("final")) {
      H5::Group final_group = h5.openGroup("final");
      run.final_figures.emplace();
      read_attributes(final_group, run.final_text, *run.final_figures);
    }
  } catch (const H5::Exception& e) {
    throw Error(fmt::format("adapt results '{}': cannot read: {} ({})", name, e.getDetailMsg(), e.getFuncName()));
  }
  return run;
}

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

std::string render_report(const AdaptRun& run, const ReportOptions& options) {
  const std::string model = lookup(run.text, "model");
  std::string html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>GOS adapt: " + esc(model) +
                     "</title>\n" + kStyle + "</head><body>\n";
  html += fmt::format("<h1>GOS adapt: {} {}</h1>\n", esc(model), status_badge(lookup(run.text, "status")));
  html += fmt::format(
      "<p>Accuracy estimate during search: <b>{}</b>; constraint: accuracy drop ≤ {} points. Started {}, ended {}. "
      "File <code>{}</code>.</p>\n",
      esc(lookup(run.text, "accuracy_estimate")), fmt_number(lookup(run.number, "epsilon")),
      esc(lookup(run.text, "start_time")), esc(lookup(run.text, "end_time").empty() ? "–" : lookup(run.text, "end_time")),
      esc(run.file.string()));
  if (!lookup(run.text, "stop_reason").empty())
    html += fmt::format("<p>Stopped because: {}</p>\n", esc(lookup(run.text, "stop_reason")));
  std::string device;
  for (const auto& [key, value] : run.text)
    if (key.rfind("device", 0) == 0) device += fmt::format("<tr><th>{}</th><td>{}</td></tr>", esc(key), esc(value));
  for (const auto& [key, value] : run.number)
    if (key.rfind("device", 0) == 0)
      device += fmt::format("<tr><th>{}</th><td>{}</td></tr>", esc(key), fmt_number(value, "{:g}"));
  if (!device.empty()) html += "<details><summary>Device</summary><table>" + device + "</table></details>\n";

  html += "<h2>Before and after</h2>\n" + summary_table(run);
  const std::string torchscript = lookup(run.final_text, "torchscript");
  if (!torchscript.empty())
    html += fmt::format("<p>Adapted model exported as TorchScript: <code>{}</code>.</p>\n", esc(torchscript));
  html += "<div class=\"chart\">" + latency_trend_chart(run) + "</div>\n";
  html += "<h2>Iterations</h2>\n" + iteration_table(run);
  for (const Iteration& it : run.iterations) html += iteration_section(it, options);
  if (!run.profile.empty())
    html += fmt::format("<h2>Baseline profile: the {} least efficient slots</h2>\n", std::min(run.profile.size(),
                                                                                              options.profile_rows)) +
            profile_table(run, options.profile_rows);
  const std::string config = lookup(run.text, "config_toml");
  if (!config.empty()) html += "<details><summary>Configuration</summary><pre>" + esc(config) + "</pre></details>\n";
  return html + "</body></html>\n";
}

}  // namespace gos::report
