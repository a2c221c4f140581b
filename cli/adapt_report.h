#pragma once
// The report of a `gos adapt` run: reads the run's adapt.h5 (schema in
// docs/ADAPT.md) and renders one self-contained HTML page with inline SVG —
// before/after figures, the per-iteration table, each search's Pareto front,
// the chosen operator graphs, and the baseline's per-slot profile. Works on
// finished, failed and still-running (or killed) runs: whatever has been
// written is shown, missing figures as "–".
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gos::report {

struct SlotProfileRow {
  std::string path;
  std::string kind;
  double latency_ms = 0;
  double share = 0;
  double inefficiency = 0;
  double params = 0;
};

struct FrontPoint {
  std::string genome;
  double latency_ms = 0;
  double params = 0;
  double accuracy_drop = 0;
  bool feasible = false;
};

struct Iteration {
  std::string name;  // the group name, "000", "001", ...
  std::map<std::string, std::string> text;  // string attributes (slot, status, chosen_genome, ...)
  std::map<std::string, double> number;     // numeric attributes (latency_before_ms, ...)
  std::vector<FrontPoint> front;
  std::string text_or(const std::string& key, const std::string& fallback = "") const;
  double number_or_nan(const std::string& key) const;
};

struct AdaptRun {
  std::filesystem::path file;
  std::map<std::string, std::string> text;  // root string attributes
  std::map<std::string, double> number;     // root numeric attributes
  std::map<std::string, double> baseline;   // /baseline numeric attributes
  std::vector<SlotProfileRow> profile;      // /baseline per-slot datasets, execution order
  std::vector<Iteration> iterations;        // in group-name order
  std::optional<std::map<std::string, double>> final_figures;  // /final numeric attributes
  std::map<std::string, std::string> final_text;               // /final string attributes
};

// Reads an adapt results file (or the adapt.h5 inside a run directory).
// Throws gos::Error naming the file when it is missing, not HDF5, or not a
// "gos-adapt" file of a schema version this build reads.
AdaptRun read_adapt_run(const std::filesystem::path& file_or_directory);

struct ReportOptions {
  // Graphviz `dot`, used to draw the chosen graphs; when it does not exist
  // the report shows their DOT text instead.
  std::filesystem::path dot_program = "/usr/bin/dot";
  size_t profile_rows = 20;  // slots listed in the baseline profile table
};

// The whole report as one HTML document.
std::string render_report(const AdaptRun& run, const ReportOptions& options);

// The chosen graph of a genome as inline SVG via `dot`, or a <pre> block of
// DOT when `dot` is missing or fails. Throws gos::Error for a malformed genome.
std::string draw_genome(const std::string& genome, const std::string& title, const ReportOptions& options);

}  // namespace gos::report
