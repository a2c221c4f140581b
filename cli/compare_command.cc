// gos compare RUN.h5... : hypervolume of runs by strategy at fixed budgets.
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/compare.h"
#include "framework/error.h"

namespace po = boost::program_options;

namespace gos::cli {

int compare_command(const Args& args) {
  std::vector<std::string> files;
  std::vector<double> budgets;
  std::vector<std::string> group_by;
  std::string svg_path = "compare.svg";
  size_t budget_count = 5;
  bool help = false;
  po::options_description options("Options");
  options.add_options()("help,h", po::bool_switch(&help), "show this help")(
      "budget", po::value(&budgets)->multitoken()->composing(),
      "evaluation budgets for the table (repeatable); default: evenly spaced up to the shortest run")(
      "by", po::value(&group_by)->composing(),
      "group by this key of the stored experiments too, e.g. strategy.penalty (repeatable)")(
      "budget-count", po::value(&budget_count)->default_value(5), "number of evenly spaced default budgets")(
      "output,o", po::value(&svg_path)->default_value(svg_path), "SVG plot of hypervolume vs evaluations");
  po::options_description hidden;
  hidden.add_options()("files", po::value(&files)->multitoken())("svg", po::value(&svg_path), "old name of --output");
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("files", -1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  po::notify(vm);
  if (help) {
    std::cout << "Usage: gos compare RUN.h5... [options]\n\nGroups runs by strategy (and the --by keys), averages their recorded "
                 "hypervolume over seeds, and\nprints mean ± standard deviation at fixed evaluation budgets; writes "
                 "an SVG\nplot of hypervolume vs evaluations with one line per strategy. Runs need an\n[indicators] "
                 "reference_point.\n\n"
              << options << "\n";
    return 0;
  }
  if (files.empty()) throw po::error("give at least one results file (RUN.h5)");
  if (budget_count == 0) throw po::error("--budget-count must be at least 1");
  std::vector<compare::RunCurve> runs;
  for (const std::string& file : files) runs.push_back(compare::load_run(file, group_by));
  if (budgets.empty()) budgets = compare::default_budgets(runs, budget_count);
  for (double budget : budgets)
    if (!(budget > 0)) throw Error(fmt::format("--budget {} must be a positive number of evaluations", budget));
  std::cout << compare::format_table(compare::summarize(runs, budgets), budgets);
  std::ofstream svg(svg_path);
  if (!svg || !(svg << compare::render_svg(runs)))
    throw Error(fmt::format("cannot write the SVG plot '{}'", svg_path));
  std::cout << "plot: " << svg_path << "\n";
  return 0;
}

}  // namespace gos::cli
