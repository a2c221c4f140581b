// libFuzzer target: experiment files as `gos validate` reads them, against
// the real plugins of this (torch-less, clang) build tree: the TOML screen,
// toml++, --set overrides, every section and every plugin schema, the [sweep]
// table and, when the text has an [adapt] table, the adapt file reader.
//
// Input: the file's text. Leading lines "#set KEY=VALUE" (TOML comments, so
// a seed stays a valid file) are also applied as --set overrides.
// Contract: every input either parses or throws gos::Error; any other
// exception, a crash or a sanitizer report is a finding (docs/FUZZING.md).
// Components are not created: their factories read the files an input names.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "adapt/config.h"
#include "cli/sweep.h"
#include "framework/config.h"
#include "framework/error.h"
#include "framework/plugin_registry.h"
#include "framework/toml_input.h"

namespace {

gos::PluginRegistry* registry = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  registry = new gos::PluginRegistry();  // lives for the process: plugin code stays mapped
  registry->load_directory(GOS_PLUGIN_DIR);
  std::fprintf(stderr, "fuzz_experiment: %zu plugins from %s\n", registry->plugins().size(), GOS_PLUGIN_DIR);
  if (registry->plugins().size() < 5) std::abort();  // a fuzz run without plugins would test little
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> overrides;
  for (size_t line = 0; text.compare(line, 5, "#set ") == 0;) {
    const size_t end = text.find('\n', line);
    overrides.push_back(text.substr(line + 5, end == std::string::npos ? std::string::npos : end - line - 5));
    if (end == std::string::npos) break;
    line = end + 1;
  }
  try {
    gos::parse_experiment(text, "fuzz.toml", ".", overrides, *registry);
  } catch (const gos::Error&) {
  }
  try {
    toml::table root = gos::parse_toml(text, "fuzz.toml");
    if (root.contains("sweep")) gos::sweep::read_sweep_table(root, "fuzz.toml");
    if (root.contains("adapt")) gos::adapt::parse_adapt_config(text, "fuzz.toml", overrides);
  } catch (const gos::Error&) {
  }
  return 0;
}
