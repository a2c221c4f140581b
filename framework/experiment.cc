#include "framework/experiment.h"

#include <fmt/format.h>

#include <algorithm>

#include "framework/plugin_registry.h"

namespace gos {

std::vector<double> known_front_for_igd(const ExperimentConfig& config, const SearchSpace& space, size_t optimized) {
  std::vector<double> front;
  if (!config.indicators.igd) return front;
  const std::string where = config.indicators.igd_location.to_string();
  for (const auto& point : space.known_front(static_cast<size_t>(config.indicators.igd_points))) {
    if (point.size() != optimized)
      throw Error(fmt::format("{}: [indicators] igd = true: search space '{}' has a known front of {} objectives but "
                              "the experiment optimises {}; IGD needs the space's function metrics as objectives",
                              where, config.search_space.plugin, point.size(), optimized));
    front.insert(front.end(), point.begin(), point.end());
  }
  if (front.empty())
    throw Error(fmt::format("{}: [indicators] igd = true, but search space '{}' has no known Pareto front (only test "
                            "problems have one); remove igd",
                            where, config.search_space.plugin));
  return front;
}

Experiment build_experiment(ExperimentConfig config, PluginRegistry& registry) {
  Experiment experiment;
  experiment.space = registry.create<SearchSpace>(config.search_space, PluginKind::kSearchSpace);
  experiment.space->set_origin(config.search_space);
  experiment.strategy = registry.create<Strategy>(config.strategy, PluginKind::kStrategy);
  if (config.mutator)
    experiment.mutator = registry.create<Mutator>(*config.mutator, PluginKind::kMutator);
  else
    experiment.mutator = experiment.space->default_mutator();
  std::vector<std::string> names;
  for (const ObjectiveConfig& objective_config : config.objectives) {
    auto objective = registry.create<Objective>(objective_config.component, PluginKind::kObjective);
    ObjectiveRole role = objective_config.role;
    if (role.name.empty()) role.name = objective->default_name();
    role.direction = objective_config.direction.value_or(objective->default_direction());
    const std::string section = objective_config.component.section;
    if (std::find(names.begin(), names.end(), role.name) != names.end())
      throw Error(fmt::format("{}: [{}] a second objective is named '{}'; give one of them another `name`",
                              objective_config.component.location.to_string(), section, role.name));
    names.push_back(role.name);
    try {
      objective->bind(*experiment.space);
    } catch (const Error& e) {
      throw Error(fmt::format("{}: [{}] plugin '{}' cannot work with search space '{}': {}",
                              objective_config.component.location.to_string(), section,
                              objective_config.component.plugin, config.search_space.plugin, e.what()));
    }
    experiment.objectives.push_back(std::move(objective));
    experiment.roles.push_back(std::move(role));
  }
  size_t optimized = 0;
  for (const ObjectiveRole& role : experiment.roles) optimized += role.optimize ? 1 : 0;
  known_front_for_igd(config, *experiment.space, optimized);
  resolve_objective_roles(config, experiment.roles);
  experiment.config = std::move(config);
  return experiment;
}

}  // namespace gos
