// gos show: draws a GOS operator-graph genome as Graphviz DOT (and SVG when
// Graphviz's `dot` is installed).
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "framework/config.h"
#include "framework/experiment.h"
#include "framework/results.h"
#include "searchspaces/gos/graph.h"

namespace po = boost::program_options;

namespace gos::cli {
namespace {

constexpr const char* kUsage =
    "Usage: gos show GENOME [options]\n"
    "       gos show --results FILE --index N [options]\n\n"
    "Draws a gos_graph genome (an operator as a graph of instructions) as Graphviz DOT,\n"
    "and as SVG when /usr/bin/dot exists. The genome is checked against the search space\n"
    "of --experiment (or of the run in --results); without either, against its own input\n"
    "shape only. Example:\n"
    "  gos show 'in:16x8x8;n1=conv[k=3,co=16,g=1,d=1,s=1](n0);n2=relu(n1);out:n2' -o conv\n"
    "writes conv.dot and conv.svg.";

constexpr const char* kDot = "/usr/bin/dot";

// The canonical genome after the experiment's search space has validated it.
// `experiment_file` is read when given, else `toml` (a results file's copy).
std::string check_with_space(const std::string& genome, const std::string& experiment_file, const std::string& toml,
                             const std::string& source, const std::vector<std::string>& plugin_paths) {
  PluginRegistry registry;
  load_default_plugins(registry, plugin_paths);
  ExperimentConfig config = experiment_file.empty() ? parse_experiment(toml, source, ".", {}, registry)
                                                    : load_experiment(experiment_file, {}, registry);
  Experiment experiment = build_experiment(std::move(config), registry);
  if (experiment.config.search_space.plugin != "gos_graph")
    throw Error(fmt::format("{}: gos show draws gos_graph genomes; this experiment's search space is '{}'", source,
                            experiment.config.search_space.plugin));
  return experiment.space->serialize(*experiment.space->deserialize(genome));
}

}  // namespace

int show_command(const Args& args) {
  std::string genome;
  std::string experiment_file;
  std::string results_file;
  int64_t index = -1;
  std::string output = "graph";
  std::vector<std::string> plugin_paths;
  bool help = false;
  po::options_description options("Options");
  options.add_options()("experiment,e", po::value(&experiment_file),
                        "experiment file whose search space checks the genome")(
      "results,r", po::value(&results_file), "results file to read the genome from (with --index)")(
      "index,i", po::value(&index), "row of the evaluation table in --results")(
      "output,o", po::value(&output), "output path without extension (default: graph)")(
      "plugin-path", po::value(&plugin_paths)->composing(), "extra plugin directory (repeatable)")(
      "help,h", po::bool_switch(&help), "show this help");
  po::options_description hidden;
  hidden.add_options()("genome", po::value(&genome));
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("genome", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  po::notify(vm);
  if (help) {
    std::cout << kUsage << "\n\n" << options << "\n";
    return 0;
  }
  if (!genome.empty() && !results_file.empty()) throw po::error("give either a GENOME or --results, not both");
  std::string title;
  if (!results_file.empty()) {
    if (index < 0) throw po::error("--results needs --index N");
    const RunResults results = read_results(results_file);
    if (static_cast<size_t>(index) >= results.evaluations.size())
      throw Error(fmt::format("{}: --index {} is out of range; the file has {} evaluations", results_file, index,
                              results.evaluations.size()));
    genome = check_with_space(results.evaluations[static_cast<size_t>(index)].genome, "", results.metadata.config_toml,
                              results_file, plugin_paths);
    title = fmt::format("{} #{}", results.metadata.experiment_name, index);
  } else {
    if (genome.empty()) throw po::error("missing the GENOME argument (or --results FILE --index N)");
    if (!experiment_file.empty()) genome = check_with_space(genome, experiment_file, "", experiment_file, plugin_paths);
  }
  const graph::Graph graph = graph::parse(genome, {graph::kAnyShape, graph::kAnyShape, 4096});
  if (title.empty())
    title = fmt::format("{} -> {}", graph.shapes.front().to_string(), graph.output_shape().to_string());
  const std::string dot_path = output + ".dot";
  {
    std::ofstream out(dot_path);
    out << graph::to_dot(graph, title);
    if (!out) throw Error(fmt::format("{}: cannot write the DOT file", dot_path));
  }
  std::cout << "wrote " << dot_path << "\n";
  if (!std::filesystem::exists(kDot)) {
    std::cout << "no SVG: Graphviz is not installed (" << kDot << " is missing)\n";
    return 0;
  }
  const std::string svg_path = output + ".svg";
  // Paths are quoted for the shell; a quote inside them is refused instead of escaped.
  if (dot_path.find('\'') != std::string::npos) throw Error("the --output path may not contain a single quote");
  const std::string command = fmt::format("{} -Tsvg '{}' -o '{}'", kDot, dot_path, svg_path);
  if (std::system(command.c_str()) != 0) throw Error(fmt::format("'{}' failed", command));
  std::cout << "wrote " << svg_path << "\n";
  return 0;
}

}  // namespace gos::cli
