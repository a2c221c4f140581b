// gos report: the HTML/SVG report of a `gos adapt` run.
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "cli/adapt_report.h"
#include "cli/commands.h"
#include "cli/parse.h"
#include "framework/error.h"

namespace po = boost::program_options;

namespace gos::cli {

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
  const std::filesystem::path target = report::write_report(run, output, report_options);
  const size_t iterations = adapt::read_adapt_file(report::adapt_file(run)).iterations.size();
  std::cout << "wrote " << target.string() << " (" << iterations << " iterations)\n";
  return 0;
}

}  // namespace gos::cli
