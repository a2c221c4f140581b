#pragma once
// An experiment with its components built from plugins, ready to run.
#include <memory>
#include <vector>

#include "framework/config.h"
#include "framework/objective.h"
#include "framework/search_space.h"
#include "framework/strategy.h"

namespace gos {

class PluginRegistry;

struct Experiment {
  ExperimentConfig config;
  std::unique_ptr<SearchSpace> space;
  std::unique_ptr<Strategy> strategy;
  std::shared_ptr<const Mutator> mutator;
  std::vector<std::unique_ptr<Objective>> objectives;
  std::vector<ObjectiveRole> roles;  // names and directions resolved
};

// Creates every component and binds objectives to the space, so that all
// configuration errors surface here (this is what `gos validate` runs). The
// registry must outlive the experiment: it holds the plugin libraries.
Experiment build_experiment(ExperimentConfig config, PluginRegistry& registry);

// The flattened known Pareto front (minimisation form, `optimized` values per
// point) that [indicators] igd compares against; empty when igd is off.
// Throws gos::Error at the `igd` key when the space has no known front or
// one of another dimension. build_experiment calls it so that validate
// catches what run would.
std::vector<double> known_front_for_igd(const ExperimentConfig& config, const SearchSpace& space, size_t optimized);

}  // namespace gos
