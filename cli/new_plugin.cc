#include "cli/new_plugin.h"

#include <fmt/format.h>

#include <fstream>
#include <system_error>
#include <vector>

#include "framework/error.h"
#include "framework/text.h"

namespace gos::cli {
namespace {

std::string_view template_file(const std::string& path) {
  const auto& files = plugin_template_files();
  auto it = files.find(path);
  if (it == files.end()) throw std::logic_error("missing plugin template " + path);
  return it->second;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

std::string camel_case(std::string_view name) {
  std::string result;
  bool upper = true;
  for (char c : name) {
    if (c == '_') {
      upper = true;
      continue;
    }
    result += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return result;
}

struct KindText {
  std::string summary;
  std::string usage;  // how the plugin is used, for the README
  bool torch = false;
  bool experiment = true;
};

KindText kind_text(PluginKind kind) {
  switch (kind) {
    case PluginKind::kStrategy:
      return {"A strategy that samples the search space and mutates the best genome found so far.",
              "\nUse it in any experiment: `[strategy] plugin = \"@NAME@\"`.\n"};
    case PluginKind::kSearchSpace:
      return {"A search space of integer vectors with two test metrics (f1, f2).",
              "\nUse it in any experiment: `[search_space] plugin = \"@NAME@\"`.\n"};
    case PluginKind::kMutator:
      return {"A mutator that applies a space's default mutation 1..max_steps times.",
              "\nUse it in any experiment: `[mutator] plugin = \"@NAME@\"` (strategies that mutate use it).\n"};
    case PluginKind::kObjective:
      return {"An objective: the distance of a genome's numeric encoding from a target point.",
              "\nUse it in any experiment: `[[objectives]] plugin = \"@NAME@\"`.\n"};
    case PluginKind::kLatencyModel:
      return {"A linear latency model over a genome's numeric encoding.",
              "\nUse it wherever a latency model goes: `model = { plugin = \"@NAME@\" }` in a `latency`\n"
              "objective.\n"};
    case PluginKind::kDevice:
      return {"A device that times workloads with the monotonic wall clock and reports the median.",
              "\nUse it wherever a device goes: `device = { plugin = \"@NAME@\" }` in a `measure` latency\n"
              "model. Its experiment times cnn_chain models, which need a GOS built with LibTorch.\n"};
    case PluginKind::kTrainer:
      return {"A trainer (LibTorch) that fits a model to a seeded synthetic task.",
              "\nTrainers are created by GOS components that train models; no experiment-file section\n"
              "names one yet, so this project has no experiment.toml: its test creates the trainer\n"
              "through the registry and trains a model. It links gos::torch, so the GOS you build\n"
              "against must have been built with LibTorch.\n",
              true, false};
  }
  throw std::logic_error("unknown plugin kind");
}

}  // namespace

void check_plugin_name(std::string_view name) {
  const bool valid = !name.empty() && name.size() <= 48 && name[0] >= 'a' && name[0] <= 'z' &&
                     name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string_view::npos &&
                     name.back() != '_' && name.find("__") == std::string_view::npos;
  if (!valid)
    throw Error(fmt::format("invalid plugin name '{}': use lower-case letters, digits and single underscores, "
                            "starting with a letter and at most 48 characters (e.g. my_strategy)",
                            name));
}

PluginKind parse_plugin_kind(std::string_view text) {
  if (auto kind = plugin_kind_from_string(text)) return *kind;
  std::vector<std::string> kinds;
  for (PluginKind kind : kAllPluginKinds) kinds.push_back(to_string(kind));
  throw Error(fmt::format("unknown plugin kind '{}'{}; kinds: {}", text, did_you_mean(text, kinds), join(kinds, ", ")));
}

std::map<std::filesystem::path, std::string> render_plugin_project(PluginKind kind, std::string_view name) {
  check_plugin_name(name);
  const KindText text = kind_text(kind);
  const std::string dir = to_string(kind);
  std::map<std::filesystem::path, std::string> files;
  files["CMakeLists.txt"] = std::string(template_file("CMakeLists.txt.in"));
  files["README.md"] = std::string(template_file("README.md.in"));
  files[".gitignore"] = std::string(template_file("gitignore.in"));
  files[std::string(name) + ".cc"] = std::string(template_file(dir + "/plugin.cc.in"));
  files[std::string(name) + "_test.cc"] =
      replace_all(std::string(template_file(dir + "/test.cc.in")), "@TEST_HARNESS@", template_file("test_harness.in"));
  if (text.experiment) files["experiment.toml"] = std::string(template_file(dir + "/experiment.toml.in"));
  const std::string run_line = "    gos run experiment.toml --plugin-path build/plugins -o build/experiment.h5 --overwrite\n";
  for (auto& [path, content] : files) {
    if (path == "README.md") {
      content = replace_all(content, "@USAGE@", text.usage);
      content = replace_all(content, "@SUMMARY@", text.summary);
      if (!text.experiment) {
        content = replace_all(content, run_line, "");
        content = replace_all(content, "| `experiment.toml` | an experiment that uses the plugin |\n", "");
      }
    }
    content = replace_all(content, "@TORCH_FLAG@", text.torch ? "TORCH " : "");
    content = replace_all(content, "@TORCH_LINK@", text.torch ? "gos::torch " : "");
    content = replace_all(content, "@TORCH_TARGET_NOTE@", text.torch ? "gos::torch (LibTorch layer), " : "");
    content = replace_all(content, "@KIND@", to_string(kind));
    content = replace_all(content, "@CLASS@", camel_case(name));
    content = replace_all(content, "@NAME@", name);
  }
  return files;
}

void write_plugin_project(const std::map<std::filesystem::path, std::string>& files,
                          const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec))
    throw Error(fmt::format("'{}' already exists; choose another --dir (nothing was written)", dir.string()));
  const std::filesystem::path parent = dir.parent_path().empty() ? "." : dir.parent_path();
  if (!std::filesystem::is_directory(parent, ec))
    throw Error(fmt::format("'{}' is not a directory; create it first (nothing was written)", parent.string()));
  const std::filesystem::path staging = parent / ("." + dir.filename().string() + ".gos-new-plugin.tmp");
  std::filesystem::remove_all(staging, ec);
  try {
    for (const auto& [path, content] : files) {
      std::filesystem::create_directories((staging / path).parent_path());
      std::ofstream out(staging / path, std::ios::binary);
      out << content;
      if (!out.flush()) throw Error(fmt::format("cannot write '{}'", (staging / path).string()));
    }
    std::filesystem::rename(staging, dir);
  } catch (const std::exception& e) {
    std::filesystem::remove_all(staging, ec);
    throw Error(fmt::format("cannot write the plugin project to '{}': {} (nothing was written)", dir.string(),
                            e.what()));
  }
}

}  // namespace gos::cli
