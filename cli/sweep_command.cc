// gos sweep FILE --seeds 0..9 : one experiment over seeds and strategies.
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <toml++/toml.h>

#include "cli/commands.h"
#include "cli/parse.h"
#include "cli/compare.h"
#include "cli/sweep.h"
#include "framework/experiment.h"
#include "framework/runner.h"

namespace po = boost::program_options;

namespace gos::cli {
namespace {

// The source name of generated sweep variants, stripped from their errors.
constexpr const char* kVariantSource = "sweep-variant";

std::string read_file(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw Error(fmt::format("cannot read experiment file '{}'", path));
  std::stringstream buffer;
  buffer << stream.rdbuf();
  return buffer.str();
}

}  // namespace

int sweep_command(const Args& args) {
  std::string file, seeds_text, out_dir;
  std::vector<std::string> overrides, plugin_paths;
  bool overwrite = false;
  po::options_description options("Options");
  options.add_options()(
      "seeds", po::value(&seeds_text), "seeds, e.g. 0..9 or 1,4,7; default: [sweep] seeds, else the file's seed")(
      "out", po::value(&out_dir), "folder for the runs; default: [sweep] output, else results/<name>-sweep")(
      "set", po::value(&overrides)->composing(), "override a key of every run (repeatable)")(
      "plugin-path", po::value(&plugin_paths)->composing(), "extra plugin directory (repeatable)")(
      "overwrite", po::bool_switch(&overwrite), "replace existing runs instead of resuming them");
  if (!parse_command_line(args, options, "file", file,
                          "Usage: gos sweep FILE [--seeds 0..9] [options]\n\n"
                          "Runs one experiment for every seed and every strategy into one folder\n"
                          "(<strategy>-seed<k>.h5), resuming runs already there, then prints the\n"
                          "`gos compare` table of the folder. Strategies come from an optional table\n\n"
                          "  [sweep]\n  seeds = \"0..9\"\n  output = \"results/zdt1-sweep\"\n"
                          "  [[sweep.strategies]]\n  plugin = \"nsga2\"\n  [[sweep.strategies]]\n"
                          "  plugin = \"random_search\"\n  evaluations = 25000\n\n"
                          "whose [[sweep.strategies]] tables replace [strategy] in turn; without it\n"
                          "the file's [strategy] is used.\n"))
    return 0;
  if (file.empty()) throw po::error("missing the experiment FILE argument");

  const std::string text = read_file(file);
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    throw Error(fmt::format("{}:{}:{}: TOML syntax error: {}", file, e.source().begin.line, e.source().begin.column,
                            e.description()));
  }
  std::vector<toml::table> strategies;
  std::vector<uint32_t> strategy_lines;  // where each table starts in the file (copies lose it)
  if (const toml::node* sweep_node = root.get("sweep")) {
    const toml::table* sweep = sweep_node->as_table();
    if (!sweep) throw Error(fmt::format("{}: 'sweep' must be a table", file));
    for (auto&& [key, node] : *sweep) {
      const std::string name(key.str());
      if (name == "seeds" && seeds_text.empty()) {
        if (!node.is_string()) throw Error(fmt::format("{}: [sweep] seeds must be a string like \"0..9\"", file));
        seeds_text = *node.value<std::string>();
      } else if (name == "output" && out_dir.empty()) {
        if (!node.is_string()) throw Error(fmt::format("{}: [sweep] output must be a string (a folder)", file));
        out_dir = *node.value<std::string>();
      } else if (name == "strategies") {
        if (!node.is_array_of_tables())
          throw Error(fmt::format("{}: [sweep] strategies must be an array of tables ([[sweep.strategies]])", file));
        for (const auto& strategy : *node.as_array()) {
          strategies.push_back(*strategy.as_table());
          strategy_lines.push_back(strategy.source().begin.line);
        }
      } else if (name != "seeds" && name != "output") {
        throw Error(fmt::format("{}:{}: [sweep] unknown key '{}'; valid keys: seeds, output, strategies", file,
                                key.source().begin.line, name));
      }
    }
    root.erase("sweep");
  }
  if (strategies.empty()) {
    const toml::table* strategy = root["strategy"].as_table();
    if (!strategy) throw Error(fmt::format("{}: missing required section [strategy]", file));
    strategies.push_back(*strategy);
    strategy_lines.push_back(strategy->source().begin.line);
  }
  const auto name = root["experiment"]["name"].value<std::string>();
  std::vector<uint64_t> seeds = seeds_text.empty()
                                    ? std::vector<uint64_t>{static_cast<uint64_t>(
                                          root["experiment"]["seed"].value<int64_t>().value_or(0))}
                                    : sweep::parse_seeds(seeds_text);
  if (out_dir.empty()) out_dir = "results/" + name.value_or("experiment") + "-sweep";

  // Errors outside the strategy tables, reported with the file's own lines.
  {
    PluginRegistry registry;
    load_default_plugins(registry, plugin_paths);
    build_experiment(load_experiment(file, overrides, registry), registry);
  }
  const std::filesystem::path base_dir =
      std::filesystem::path(file).parent_path().empty() ? "." : std::filesystem::path(file).parent_path();
  std::vector<std::string> outputs;
  for (size_t s = 0; s < strategies.size(); ++s) {
    const toml::table& strategy = strategies[s];
    const std::string plugin = strategy["plugin"].value<std::string>().value_or("strategy");
    for (uint64_t seed : seeds) {
      toml::table variant = root;
      variant.insert_or_assign("strategy", strategy);
      if (!variant["experiment"].as_table())
        throw Error(fmt::format("{}: missing required section [experiment]", file));
      const std::string output = (std::filesystem::path(out_dir) / fmt::format("{}-seed{}.h5", plugin, seed)).string();
      variant["experiment"].as_table()->insert_or_assign("seed", static_cast<int64_t>(seed));
      variant["experiment"].as_table()->insert_or_assign("output", output);
      std::ostringstream variant_text;
      variant_text << variant;
      PluginRegistry registry;
      load_default_plugins(registry, plugin_paths);
      // The variant is generated text, so its line numbers mean nothing to
      // the user; the base file was validated with its own lines above, so an
      // error here comes from the strategy table, whose place in the file is known.
      std::optional<Experiment> built;
      try {
        built.emplace(build_experiment(
            parse_experiment(variant_text.str(), kVariantSource, base_dir, overrides, registry), registry));
      } catch (const Error& e) {
        std::string message = e.what();
        if (message.starts_with(kVariantSource)) message = message.substr(message.find(' ') + 1);
        throw Error(fmt::format("{}:{}: [[sweep.strategies]] '{}' (seed {}): {}", file, strategy_lines[s], plugin, seed,
                                message));
      }
      Experiment& experiment = *built;
      RunOptions run_options;
      run_options.progress = false;
      run_options.overwrite = overwrite;
      run_options.resume = !overwrite && std::filesystem::exists(experiment.config.output);
      const RunSummary summary = run_experiment(experiment, run_options);
      std::cout << fmt::format("{}: {} evaluations, front {}{}\n", summary.output.string(), summary.evaluations,
                               summary.front_size, summary.already_complete ? " (already complete)" : "");
      outputs.push_back(summary.output.string());
    }
  }
  std::vector<compare::RunCurve> runs;
  for (const std::string& output : outputs) {
    try {
      runs.push_back(compare::load_run(output));
    } catch (const Error& e) {
      std::cout << "no comparison: " << e.what() << "\n";
      return 0;
    }
  }
  const auto budgets = compare::default_budgets(runs, 5);
  std::cout << compare::format_table(compare::summarize(runs, budgets), budgets);
  return 0;
}

}  // namespace gos::cli
