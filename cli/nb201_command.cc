// gos nb201: make and inspect the NAS-Bench-201 table.
//   gos nb201 convert --data ../shared/data/nb201 -o build/nb201.h5
//   gos nb201 show --table build/nb201.h5 '|nor_conv_3x3~0|+|...|'
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "benchmarks/nb201/nb201_space.h"
#include "cli/commands.h"
#include "cli/parse.h"

namespace po = boost::program_options;

namespace gos::cli {
namespace {

constexpr const char* kUsage =
    "Usage: gos nb201 convert --data DIR -o FILE [--overwrite]\n"
    "       gos nb201 show [--table FILE] ARCH_STRING\n\n"
    "convert: turn the NAS-Bench-201 CSV files of DIR (nb201_accuracy_200ep.csv, nb201_accuracy_12ep.csv,\n"
    "         nb201_latency.csv) into the HDF5 table that the `nb201` search space loads.\n"
    "show:    print every metric of one architecture, with units.";

int convert(const std::string& data, const std::string& out, bool overwrite) {
  if (data.empty() || out.empty()) throw po::error("convert needs --data DIR and -o FILE");
  refuse_to_replace(out, overwrite);
  const nb201::Table table = nb201::read_csv_directory(data);
  // Building the space checks every arch string before the file is written.
  const nb201::Nb201Space space(table);
  nb201::write_table(table, out);
  std::cout << fmt::format("wrote {}: {} architectures, {} metric columns\n", out, table.archs.size(),
                           table.columns.size());
  return 0;
}

int show(const std::string& table_path, const std::string& arch) {
  if (arch.empty()) throw po::error("show needs an ARCH_STRING");
  const nb201::Nb201Space space(nb201::read_table(table_path));
  const GenomePtr genome = space.deserialize(arch);
  std::cout << fmt::format("{}\nindex {}\n", space.serialize(*genome), space.index(*genome));
  for (const MetricKey& key : space.metrics())
    std::cout << fmt::format("{:<32} {}\n", key.to_string(), format_metric_value(key.metric, space.query(*genome, key)));
  return 0;
}

}  // namespace

int nb201_command(const Args& args) {
  std::string action, data, out, table = "build/nb201.h5", arch;
  bool help = false, overwrite = false;
  po::options_description options("Options");
  options.add_options()("help,h", po::bool_switch(&help), "show this help")(
      "data", po::value(&data), "directory with the NAS-Bench-201 CSV files (convert)")(
      "output,o", po::value(&out), "HDF5 table to write (convert)")(
      "overwrite", po::bool_switch(&overwrite), "replace an existing table (convert)")(
      "table", po::value(&table), "HDF5 table to read (show); default build/nb201.h5");
  po::options_description hidden;
  hidden.add_options()("action", po::value(&action))("arch", po::value(&arch));
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("action", 1).add("arch", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  po::notify(vm);
  if (help || action.empty()) {
    std::cout << kUsage << "\n\n" << options << "\n";
    return help ? 0 : 2;
  }
  if (action == "convert") return convert(data, out, overwrite);
  if (action == "show") return show(table, arch);
  throw po::error(fmt::format("unknown action '{}'; valid: convert, show", action));
}

}  // namespace gos::cli
