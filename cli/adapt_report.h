#pragma once
// The report of a `gos adapt` run: renders the run's adapt.h5 record
// (adapt/results.h, schema in docs/ADAPT.md) as one self-contained HTML page
// with inline SVG — before/after figures, the per-iteration table, each
// search's Pareto front, the chosen operator graphs, and the baseline's
// per-slot profile. Works on
// finished, failed and still-running (or killed) runs: whatever has been
// written is shown, missing figures as "–".
#include <filesystem>
#include <string>

#include "adapt/results.h"

namespace gos::report {

struct ReportOptions {
  // Graphviz `dot`, used to draw the chosen graphs; when it does not exist
  // the report shows their DOT text instead.
  std::filesystem::path dot_program = "/usr/bin/dot";
  size_t profile_rows = 20;  // slots listed in the baseline profile table
};

// The adapt.h5 of a run directory, or `file_or_directory` itself when it is a file.
std::filesystem::path adapt_file(const std::filesystem::path& file_or_directory);

// The whole report of the record read from `file` as one HTML document.
std::string render_report(const adapt::AdaptRecord& run, const std::filesystem::path& file,
                          const ReportOptions& options);

// Reads the adapt.h5 of `run` (a run directory or the file) and writes its
// report to `target` (empty: report.html next to adapt.h5). Returns the path
// written; throws gos::Error naming the file that cannot be read or written.
std::filesystem::path write_report(const std::filesystem::path& run, const std::filesystem::path& target,
                                   const ReportOptions& options);

// The chosen graph of a genome as inline SVG via `dot`, or a <pre> block of
// DOT when `dot` is missing or fails. Throws gos::Error for a malformed genome.
std::string draw_genome(const std::string& genome, const std::string& title, const ReportOptions& options);

}  // namespace gos::report
