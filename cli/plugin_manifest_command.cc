// gos plugin-manifest LIB: writes LIB.manifest, what `gos` reads to list and
// validate the plugin without loading it (framework/manifest.h). Called by
// gos_add_plugin after every plugin link; not listed in `gos --help`.
#include <iostream>

#include "cli/commands.h"
#include "cli/parse.h"
#include "framework/plugin_registry.h"

namespace po = boost::program_options;

namespace gos::cli {

int plugin_manifest_command(const Args& args) {
  std::string library_path;
  bool print = false;
  po::options_description options("Options");
  options.add_options()("print", po::bool_switch(&print), "print the manifest instead of writing it");
  if (!parse_command_line(args, options, "library", library_path,
                          "Usage: gos plugin-manifest LIB [options]\n\nLoads the plugin library LIB, checks it "
                          "(entry point, ABI version, build tag,\nschema) and writes LIB.manifest beside it, so "
                          "that gos lists and validates the\nplugin without loading it. gos_add_plugin() runs "
                          "this after every build."))
    return 0;
  if (library_path.empty()) throw po::error("missing the plugin library argument");
  boost::dll::shared_library library;
  const PluginManifest manifest = inspect_plugin_library(library_path, library);
  if (print)
    std::cout << format_manifest(manifest);
  else
    write_manifest(manifest, library_path);
  return 0;
}

}  // namespace gos::cli
