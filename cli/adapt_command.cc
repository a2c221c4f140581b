// gos adapt: the GOS pipeline from an adapt experiment file (docs/ADAPT.md).
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "adapt/adapt.h"
#include "cli/commands.h"
#include "cli/parse.h"
#include "framework/plugin_registry.h"

namespace po = boost::program_options;

namespace gos::cli {

int adapt_command(const Args& args) {
  std::string file;
  std::vector<std::string> overrides;
  std::vector<std::string> plugin_paths;
  std::string output;
  adapt::AdaptOptions options;
  bool quiet = false;
  bool validate = false;
  bool dry_run = false;  // its own variable: two switches on one bool reset each other
  po::options_description description("Options");
  description.add_options()
      ("set", po::value(&overrides)->composing(), "override a key of [adapt]: key=value (repeatable)")
      ("output,o", po::value(&output), "run directory (default results/adapt/<name>)")
      ("resume", po::bool_switch(&options.resume), "continue the run recorded in the run directory")
      ("overwrite", po::bool_switch(&options.overwrite), "start over in an existing run directory")
      ("validate", po::bool_switch(&validate), "check the file (and --set values) without running it")
      ("dry-run", po::bool_switch(&dry_run), "same as --validate")
      ("plugin-path", po::value(&plugin_paths)->composing(), "extra plugin directory (repeatable)")
      ("quiet,q", po::bool_switch(&quiet), "no progress lines");
  if (!parse_command_line(
          args, description, "file", file,
          "Usage: gos adapt FILE [options]\n\nAdapts a zoo model to this CPU: trains (or loads) the baseline, profiles "
          "its slots,\nand replaces the least efficient operators with searched GOS instruction graphs\n(NSGA-II over "
          "latency and parameters, accuracy drop <= epsilon), one slot at a time.\nWrites adapt.h5, search_<k>.h5, "
          "checkpoints and adapted.pt into the run directory.\nA killed run continues with --resume. See "
          "docs/ADAPT.md."))
    return 0;
  validate = validate || dry_run;
  if (file.empty()) throw po::error("missing the FILE argument (an adapt experiment, e.g. experiments/adapt/quick.toml)");
  if (options.resume && options.overwrite) throw po::error("--resume and --overwrite exclude each other");
  const adapt::AdaptConfig config = adapt::load_adapt_config(file, overrides);
  PluginRegistry registry;
  load_default_plugins(registry, plugin_paths);
  registry.find("nsga2", PluginKind::kStrategy, "gos adapt (the inner search)");
  options.output = output.empty() ? adapt::default_output(config) : std::filesystem::path(output);
  if (validate) {
    std::cout << fmt::format("{}: ok (adapt {} width {}, epsilon {}, population {} x {} generations, up to {} "
                             "replacements, accuracy estimate '{}'; output {})\n",
                             file, config.model, config.width, config.epsilon, config.population,
                             config.generations, config.max_modified, config.accuracy_estimate,
                             options.output.string());
    return 0;
  }
  options.progress = !quiet;
  const adapt::AdaptSummary summary = adapt::run_adapt(config, options, registry);
  if (summary.already_complete) {
    std::cout << fmt::format("{}: run already completed ({} iterations, {} replaced, speedup {:.2f}x); nothing to "
                             "resume\n",
                             summary.output.string(), summary.iterations, summary.modified, summary.speedup);
    return 0;
  }
  std::cout << fmt::format("{}: {} iterations, {} replaced ({}); latency {:.3f} -> {:.3f} ms, speedup {:.2f}x; "
                           "held-out accuracy {:.2f}% -> {:.2f}%\n",
                           summary.output.string(), summary.iterations, summary.modified, summary.stop_reason,
                           summary.baseline_ms, summary.final_ms, summary.speedup, summary.baseline_accuracy,
                           summary.final_accuracy);
  return 0;
}

}  // namespace gos::cli
