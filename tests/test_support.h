#pragma once
// Shared fixtures for the framework's integration tests: a registry loaded
// from the build tree, experiment texts, and scratch directories.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "framework/config.h"
#include "framework/plugin_registry.h"
#include "framework/results.h"

namespace gos::testing {

inline std::filesystem::path scratch_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("gos_test_" + std::to_string(getpid())) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string test_plugin_dir(const std::string& name) {
  return std::string(GOS_BINARY_DIR) + "/test_plugins/" + name;
}

// The two objectives of a two-objective test problem, as experiment TOML.
inline const std::string kTwoFunctionObjectives =
    "[[objectives]]\nplugin = \"metric\"\nmetric = \"function\"\non = \"f1\"\n\n"
    "[[objectives]]\nplugin = \"metric\"\nmetric = \"function\"\non = \"f2\"\n";

// A small ZDT1 experiment; `extra` is appended (more sections or objectives).
inline std::string zdt_experiment(const std::filesystem::path& output, const std::string& strategy_keys = "",
                                  const std::string& extra = "") {
  return "[experiment]\nname = \"zdt\"\nseed = 3\noutput = \"" + output.string() +
         "\"\n\n[search_space]\nplugin = \"test_problem\"\nproblem = \"zdt1\"\ndimensions = 5\n\n"
         "[strategy]\nplugin = \"random_search\"\nevaluations = 60\nbatch = 10\n" +
         strategy_keys + "\n" + kTwoFunctionObjectives + extra;
}

inline void load_build_plugins(PluginRegistry& registry) { registry.load_directory(GOS_PLUGIN_DIR); }

// Parses `text` and returns the error message, or "" when it is valid.
inline std::string config_error(const std::string& text, const std::vector<std::string>& overrides = {}) {
  PluginRegistry registry;
  load_build_plugins(registry);
  try {
    parse_experiment(text, "exp.toml", ".", overrides, registry);
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

// Evaluations equal except for wall-clock time, which no two runs share.
inline void expect_same_evaluations(const RunResults& a, const RunResults& b) {
  ASSERT_EQ(a.evaluations.size(), b.evaluations.size());
  for (size_t i = 0; i < a.evaluations.size(); ++i) {
    EvaluationRecord x = a.evaluations[i], y = b.evaluations[i];
    x.seconds = y.seconds = 0;
    EXPECT_EQ(x, y) << "evaluation " << i;
  }
  EXPECT_EQ(a.front, b.front);
  ASSERT_EQ(a.generations.size(), b.generations.size());
  for (size_t i = 0; i < a.generations.size(); ++i) {
    EXPECT_EQ(a.generations[i].evaluations, b.generations[i].evaluations);
    EXPECT_EQ(a.generations[i].front_size, b.generations[i].front_size);
  }
}

}  // namespace gos::testing
