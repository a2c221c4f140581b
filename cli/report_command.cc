// gos report: the HTML/SVG report of a `gos adapt` run.
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "cli/adapt_report.h"
#include "cli/commands.h"
#include "cli/parse.h"
#include "framework/error.h"
#include "framework/results.h"

namespace po = boost::program_options;

namespace gos::cli {
namespace {

// What `file` is when it is not an adapt run, so that the message says what
// to do with it instead of quoting an HDF5 error.
std::string not_an_adapt_run(const std::filesystem::path& file, const std::string& error) {
  if (file.extension() == ".toml")
    return fmt::format("'{}' is an experiment file, not a run; `gos report` reads the run directory that "
                       "`gos adapt {}` writes (or its adapt.h5)",
                       file.string(), file.string());
  try {
    const RunResults results = read_results(file);
    return fmt::format("'{}' is a `gos run` results file (experiment '{}', {} evaluations), not a `gos adapt` run; "
                       "`gos report` reads adapt runs (RUN_DIR or RUN_DIR/adapt.h5). For search results use `gos "
                       "compare FILE` or `gos show --results FILE --index N`, or read it as docs/RESULTS.md shows",
                       file.string(), results.metadata.experiment_name, results.evaluations.size());
  } catch (const Error&) {
    return error;  // neither kind: the adapt reader's own message names the file and the problem
  }
}

}  // namespace

int report_command(const Args& args) {
  std::string run;
  std::string output;
  report::ReportOptions report_options;
  std::string dot = report_options.dot_program.string();
  po::options_description options("Options");
  options.add_options()("output,o", po::value(&output),
                        "HTML file to write (default: report.html next to the run's adapt.h5)")(
      "top", po::value(&report_options.profile_rows)->default_value(report_options.profile_rows),
      "slots listed in the baseline profile table")("dot", po::value(&dot)->default_value(dot),
                                                     "Graphviz dot program used to draw operator graphs");
  const std::string usage =
      "Usage: gos report RUN [options]\n\n"
      "Writes the report of a `gos adapt` run: before/after latency, parameters and accuracy,\n"
      "one row per iteration, each search's Pareto front, the original and chosen operator\n"
      "graphs, and the baseline's least efficient slots, as one HTML page with inline SVG.\n"
      "RUN is the run directory or its adapt.h5. Works on running or interrupted runs too.";
  if (!parse_command_line(args, options, "run", run, usage)) return 0;
  if (run.empty()) throw Error("gos report: give the run directory or its adapt.h5 (see gos report --help)");
  report_options.dot_program = dot;
  const std::filesystem::path file = report::adapt_file(run);
  size_t iterations = 0;
  try {
    iterations = adapt::read_adapt_file(file).iterations.size();
  } catch (const Error& e) {
    throw Error(not_an_adapt_run(file, e.what()));
  }
  const std::filesystem::path target = report::write_report(run, output, report_options);
  std::cout << "wrote " << target.string() << " (" << iterations << " iterations)\n";
  return 0;
}

}  // namespace gos::cli
