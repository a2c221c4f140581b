#pragma once
// `gos new-plugin KIND NAME`: the out-of-tree project of a small working
// plugin of each kind (cli/templates/), rendered for one name.
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "framework/params.h"

namespace gos::cli {

// Throws gos::Error when `name` is not a valid plugin name: [a-z][a-z0-9_]*,
// at most 48 characters (it becomes a C++ namespace, a CMake target and a
// library name).
void check_plugin_name(std::string_view name);

// The kind named `text` (search_space, strategy, ...); an error listing the
// kinds, with the closest, otherwise.
PluginKind parse_plugin_kind(std::string_view text);

// Relative path -> content of every file of the project.
std::map<std::filesystem::path, std::string> render_plugin_project(PluginKind kind, std::string_view name);

// Writes the project into `dir`, which must not exist: the files go to a
// temporary sibling directory first, renamed to `dir` once complete.
void write_plugin_project(const std::map<std::filesystem::path, std::string>& files,
                          const std::filesystem::path& dir);

// The raw template files, by path under cli/templates/ (generated).
const std::map<std::string, std::string_view>& plugin_template_files();

}  // namespace gos::cli
