// gos new-plugin KIND NAME [--dir D]: writes a buildable out-of-tree plugin
// project (cli/new_plugin.h).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/new_plugin.h"
#include "cli/parse.h"

namespace po = boost::program_options;

namespace gos::cli {

int new_plugin_command(const Args& args) {
  std::string dir;
  std::vector<std::string> positional;
  bool help = false;
  po::options_description options("Options");
  options.add_options()("dir", po::value(&dir), "directory to create (default: ./NAME); must not exist")(
      "help,h", po::bool_switch(&help), "show this help");
  po::options_description hidden;
  hidden.add_options()("positional", po::value(&positional));
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positions;
  positions.add("positional", -1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positions).run(), vm);
  po::notify(vm);
  std::vector<std::string> kinds;
  for (PluginKind kind : kAllPluginKinds) kinds.push_back(to_string(kind));
  if (help) {
    std::cout << "Usage: gos new-plugin KIND NAME [--dir D]\n\n"
                 "Writes an out-of-tree project for a small working plugin of KIND named NAME:\n"
                 "CMakeLists.txt (find_package(gos) + gos_add_plugin), the plugin source, a GoogleTest\n"
                 "test that loads it through the registry, an experiment that uses it, and a README\n"
                 "with the commands to build, test and run it (docs/PLUGINS.md).\n\n"
              << "KIND: " << fmt::format("{}", fmt::join(kinds, ", ")) << "\n"
              << "NAME: lower-case letters, digits and underscores, starting with a letter.\n\n"
              << options << "\n";
    return 0;
  }
  if (positional.size() != 2)
    throw po::error(fmt::format("expected KIND and NAME, got {} argument{}", positional.size(),
                                positional.size() == 1 ? "" : "s"));
  const PluginKind kind = parse_plugin_kind(positional[0]);
  const std::string& name = positional[1];
  check_plugin_name(name);
  PluginRegistry registry;
  load_default_plugins(registry, {});
  for (const PluginRecord* record : registry.plugins())
    if (record->name == name)
      throw Error(fmt::format("plugin name '{}' is taken by {}; plugin names must be unique", name,
                              record->path.string()));
  const std::filesystem::path target = dir.empty() ? std::filesystem::path(name) : std::filesystem::path(dir);
  write_plugin_project(render_plugin_project(kind, name), target);
  std::cout << fmt::format("wrote a {} plugin project to {}\n\n", to_string(kind), target.string())
            << fmt::format("  cd {}\n", target.string())
            << "  cmake -S . -B build -DCMAKE_PREFIX_PATH=<gos install prefix> && cmake --build build\n"
            << "  ctest --test-dir build --output-on-failure\n";
  if (kind != PluginKind::kTrainer)
    std::cout << "  gos run experiment.toml --plugin-path build/plugins -o build/experiment.h5 --overwrite\n";
  return 0;
}

}  // namespace gos::cli
