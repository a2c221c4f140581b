#pragma once
// Experiment files: TOML in, validated configuration out.
//
//   [experiment]   name, seed, output, description, max_evaluations, cache
//   [plugins]      paths = ["dir", ...]   (relative to the experiment file)
//   [search_space] plugin = "...", plus that plugin's keys
//   [strategy]     plugin = "...", ...
//   [mutator]      optional; replaces the search space's default mutator
//   [[objectives]] plugin = "...", plus name / direction / max / min / optimize
//   [indicators]   optional; reference_point = [..], igd = true, igd_points
//   [sweep]        optional; read by `gos sweep` (and checked by `gos validate`), ignored here
//
// Input paths in plugin tables (ParamSchema::path()) and [plugins] paths are
// relative to the experiment file; the output is relative to the working
// directory, as `-o` is. Full reference: docs/EXPERIMENTS.md.
//
// Every key is checked against the plugin's schema; unknown keys are errors.
// `overrides` are "path.to.key=value" strings (the CLI's --set), applied to the
// parsed document before validation; `objectives.1.max=2` indexes the array.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "framework/objective.h"
#include "framework/params.h"

namespace gos {

class PluginRegistry;

struct ObjectiveConfig {
  ComponentConfig component;
  ObjectiveRole role;  // name may still be empty: then the plugin's default_name()
  std::optional<Direction> direction;  // unset: the plugin's default_direction()
};

// Quality indicators the runner records per generation, computed on its
// Pareto archive in minimisation form (maximised objectives negated).
struct IndicatorConfig {
  std::vector<double> reference_point;  // one per optimised objective; empty: no hypervolume
  bool igd = false;                     // IGD against SearchSpace::known_front
  int64_t igd_points = 1000;            // size of the known front requested for IGD
  SourceLocation igd_location;          // where `igd` was set, for errors found when the space is built
};

struct ExperimentConfig {
  std::string source;  // file name (or "<text>") used in messages
  std::string name;
  std::string description;
  uint64_t seed = 0;
  std::filesystem::path output;
  std::optional<int64_t> max_evaluations;
  bool cache = true;  // reuse the evaluation of an identical canonical genome
  std::vector<std::filesystem::path> plugin_paths;
  ComponentConfig search_space;
  ComponentConfig strategy;
  std::optional<ComponentConfig> mutator;
  std::vector<ObjectiveConfig> objectives;
  IndicatorConfig indicators;
  // The experiment as TOML with every default filled in; stored in results.
  std::string resolved_toml;
  // Identifies the experiment for --resume: a hash of resolved_toml without
  // the output path (moving a results file does not change the experiment).
  std::string fingerprint;
};

// Parses and validates. The registry must be able to load plugins: paths from
// [plugins] are loaded into it before components are checked.
ExperimentConfig load_experiment(const std::filesystem::path& file, const std::vector<std::string>& overrides,
                                 PluginRegistry& registry);
ExperimentConfig parse_experiment(std::string_view text, const std::string& source,
                                  const std::filesystem::path& base_dir, const std::vector<std::string>& overrides,
                                  PluginRegistry& registry);

// Writes each objective's resolved role (name, direction, optimize; the
// plugin's defaults where the file left them out) into resolved_toml, so that
// the stored experiment and `gos validate --print` hold every key, and
// recomputes the fingerprint. build_experiment calls it once the objective
// plugins exist; `roles` holds one entry per [[objectives]] table.
void resolve_objective_roles(ExperimentConfig& config, const std::vector<ObjectiveRole>& roles);

}  // namespace gos
