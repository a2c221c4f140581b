#include "framework/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "framework/plugin_registry.h"
#include "framework/rng.h"
#include "framework/text.h"
#include "framework/toml_component.h"
#include "framework/toml_input.h"

namespace gos {
namespace {

class Validator {
 public:
  Validator(std::string file, std::filesystem::path base_dir, PluginRegistry& registry,
            std::string unsourced = kOverrideSource)
      : file_(std::move(file)), base_dir_(std::move(base_dir)), registry_(registry), unsourced_(std::move(unsourced)) {}

  // Where a node or key of this table is, for messages.
  SourceLocation at(const toml::source_region& source) const { return toml_location(source, file_, unsourced_); }

  [[noreturn]] void fail(const SourceLocation& where, const std::string& section, const std::string& message) const {
    throw Error(fmt::format("{}: [{}] {}", where.to_string(), section, message));
  }

  // Checks every key of `table` against `schema` and returns the typed values.
  // `reserved` keys are handled by the caller and skipped here.
  std::shared_ptr<Params> validate_table(const toml::table& table, const ParamSchema& schema,
                                         const std::string& section, const std::vector<std::string>& reserved) {
    auto params = std::make_shared<Params>(section, at(table.source()));
    std::vector<std::string> valid = schema.names();
    valid.insert(valid.end(), reserved.begin(), reserved.end());
    for (auto&& [key, node] : table) {
      const std::string name(key.str());
      if (std::find(reserved.begin(), reserved.end(), name) != reserved.end()) continue;
      const ParamSpec* spec = schema.find(name);
      if (!spec)
        fail(at(key.source()), section,
             fmt::format("unknown key '{}'{}; valid keys: {}", name, did_you_mean(name, valid),
                         valid.empty() ? "(none)" : join(valid, ", ")));
      params->set(name, convert(node, *spec, section + "." + name, section), at(node.source()));
    }
    for (const ParamSpec& spec : schema.specs()) {
      if (params->has(spec.name)) continue;
      if (spec.default_value) {
        ParamValue value = *spec.default_value;
        if (auto* component = std::get_if<ComponentConfig>(&value))
          value = component_from(toml::table{{"plugin", component->plugin}}, spec.component_kind,
                                 section + "." + spec.name);
        params->set(spec.name, std::move(value), at(table.source()));
      } else if (!spec.optional) {
        fail(at(table.source()), section,
             fmt::format("missing required key '{}' ({}): {}", spec.name, spec.describe_type(), spec.help));
      }
    }
    return params;
  }

  // A `{ plugin = "...", ... }` table validated against that plugin's schema.
  ComponentConfig component_from(const toml::table& table, PluginKind kind, const std::string& section,
                                 const std::vector<std::string>& reserved = {}) {
    const toml::node* plugin_node = table.get("plugin");
    if (!plugin_node)
      fail(at(table.source()), section,
           fmt::format("missing key 'plugin'; {} plugins: {}", to_string(kind), join(registry_.names(kind), ", ")));
    const auto plugin = plugin_node->value<std::string>();
    if (!plugin)
      fail(at(plugin_node->source()), section,
           fmt::format("key 'plugin' must be a string, got {}", toml_type_name(*plugin_node)));
    const SourceLocation where = at(plugin_node->source());
    const PluginRecord& record = registry_.find(*plugin, kind, where.to_string() + ": [" + section + "] plugin");
    std::vector<std::string> all_reserved = reserved;
    all_reserved.push_back("plugin");
    ComponentConfig config{*plugin, section, at(table.source()), nullptr};
    config.params = validate_table(table, record.schema, section, all_reserved);
    return config;
  }

  ParamValue convert(const toml::node& node, const ParamSpec& spec, const std::string& path,
                     const std::string& section) {
    const SourceLocation where = at(node.source());
    auto wrong_type = [&]() {
      fail(where, section,
           fmt::format("key '{}' must be {}, got {}", spec.name, spec.describe_type(), toml_type_name(node)));
    };
    auto check_range = [&](double v) {
      if ((spec.min && v < *spec.min) || (spec.max && v > *spec.max) || std::isnan(v))
        fail(where, section,
             fmt::format("key '{}' = {} is out of range; expected {}", spec.name, v, spec.describe_type()));
    };
    auto check_choice = [&](const std::string& s) {
      if (!spec.choices.empty() && std::find(spec.choices.begin(), spec.choices.end(), s) == spec.choices.end())
        fail(where, section,
             fmt::format("key '{}' = \"{}\" is not allowed{}; expected one of: {}", spec.name, s,
                         did_you_mean(s, spec.choices), join(spec.choices, ", ")));
    };
    auto real_of = [&](const toml::node& n) -> std::optional<double> {
      if (auto i = n.value_exact<int64_t>()) return static_cast<double>(*i);
      if (auto d = n.value_exact<double>()) return *d;
      return std::nullopt;
    };
    switch (spec.type) {
      case ParamType::kBool: {
        auto v = node.value_exact<bool>();
        if (!v) wrong_type();
        return *v;
      }
      case ParamType::kInt: {
        auto v = node.value_exact<int64_t>();
        if (!v) wrong_type();
        check_range(static_cast<double>(*v));
        return *v;
      }
      case ParamType::kReal: {
        auto v = real_of(node);
        if (!v) wrong_type();
        check_range(*v);
        return *v;
      }
      case ParamType::kString: {
        auto v = node.value_exact<std::string>();
        if (!v) wrong_type();
        check_choice(*v);
        return spec.is_path ? resolve_path(*v, node) : *v;
      }
      case ParamType::kIntList:
      case ParamType::kRealList:
      case ParamType::kStringList: {
        const toml::array* array = node.as_array();
        if (!array) wrong_type();
        std::vector<int64_t> ints;
        std::vector<double> reals;
        std::vector<std::string> strings;
        for (const toml::node& element : *array) {
          if (spec.type == ParamType::kIntList) {
            auto v = element.value_exact<int64_t>();
            if (!v) wrong_type();
            check_range(static_cast<double>(*v));
            ints.push_back(*v);
          } else if (spec.type == ParamType::kRealList) {
            auto v = real_of(element);
            if (!v) wrong_type();
            check_range(*v);
            reals.push_back(*v);
          } else {
            auto v = element.value_exact<std::string>();
            if (!v) wrong_type();
            check_choice(*v);
            strings.push_back(spec.is_path ? resolve_path(*v, element) : *v);
          }
        }
        if (spec.type == ParamType::kIntList) return ints;
        if (spec.type == ParamType::kRealList) return reals;
        return strings;
      }
      case ParamType::kComponent: {
        const toml::table* table = node.as_table();
        if (!table) wrong_type();
        return component_from(*table, spec.component_kind, path);
      }
    }
    throw std::logic_error("unhandled parameter type");
  }

 private:
  // A path written in the file names a place relative to the file; one from
  // --set (no source line) or a default stays relative to the working directory.
  std::string resolve_path(const std::string& value, const toml::node& node) const {
    if (value.empty() || node.source().begin.line == 0 || std::filesystem::path(value).is_absolute()) return value;
    return (base_dir_ / value).lexically_normal().string();
  }

  std::string file_;
  std::filesystem::path base_dir_;
  PluginRegistry& registry_;
  std::string unsourced_;
};

ParamSchema experiment_schema() {
  ParamSchema schema;
  schema.string("name", std::nullopt, "experiment name, used in results and logs")
      .string("description", "", "free text stored with the results")
      .integer("seed", 0, 0, INT64_MAX, "master seed; every component derives its own stream from it")
      .string("output", "", "results file (HDF5); default results/<name>.h5, relative to the working directory")
      .integer("max_evaluations", std::nullopt, 1, INT64_MAX, "stop after this many evaluations")
      .optional()
      .boolean("cache", true, "reuse the evaluation of a genome whose canonical string was already evaluated");
  return schema;
}

ParamSchema plugins_schema() {
  ParamSchema schema;
  schema.strings("paths", std::vector<std::string>{}, "extra plugin directories, relative to the experiment file");
  return schema;
}

ParamSchema indicators_schema() {
  ParamSchema schema;
  schema
      .reals("reference_point", std::nullopt, -HUGE_VAL, HUGE_VAL,
             "hypervolume reference point, one coordinate per optimised objective in minimisation form "
             "(negate the bound of a maximised objective); 2 or 3 objectives")
      .optional()
      .boolean("igd", false, "record IGD against the search space's known Pareto front (test problems)")
      .integer("igd_points", 1000, 2, 1000000, "points of the known front used for IGD");
  return schema;
}

// [sweep] belongs to `gos sweep` (seeds and strategies to run); a single run
// ignores it, so one file serves both commands.
const std::vector<std::string> kSections = {"experiment", "plugins",    "search_space", "strategy",
                                            "mutator",    "objectives", "indicators",   "sweep"};
const std::vector<std::string> kObjectiveKeys = {"name", "direction", "max", "min", "optimize"};

// Applies one "a.b.0.c=value" override to the document.
void apply_override(toml::table& root, const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error(fmt::format("--set '{}': expected KEY=VALUE, e.g. --set strategy.population=64", text));
  const std::string path = text.substr(0, eq);
  const std::string raw = text.substr(eq + 1);
  // The value is read as TOML; a bare word that is not TOML is taken as a string.
  toml::table holder;
  try {
    holder = parse_toml("v = " + raw, kOverrideSource);
  } catch (const Error&) {
    holder = toml::table{{"v", raw}};
  }
  std::vector<std::string> parts;
  std::stringstream stream(path);
  std::string part;
  while (std::getline(stream, part, '.')) parts.push_back(part);
  toml::node* current = &root;
  for (size_t i = 0; i < parts.size(); ++i) {
    const bool last = i + 1 == parts.size();
    const std::string& key = parts[i];
    if (auto* table = current->as_table()) {
      if (last) {
        table->insert_or_assign(key, *holder.get("v"));
        return;
      }
      if (!table->contains(key)) table->insert(key, toml::table{});
      current = table->get(key);
    } else if (auto* array = current->as_array()) {
      size_t index = 0;
      try {
        index = std::stoul(key);
      } catch (const std::exception&) {
        throw Error(fmt::format("--set '{}': '{}' indexes an array and must be a number", text, key));
      }
      if (index >= array->size())
        throw Error(fmt::format("--set '{}': index {} is past the end of an array of {}", text, index, array->size()));
      if (last) {
        array->replace(array->begin() + static_cast<std::ptrdiff_t>(index), *holder.get("v"));
        return;
      }
      current = array->get(index);
    } else {
      throw Error(fmt::format("--set '{}': '{}' is not a table", text, parts[i - 1]));
    }
  }
}

toml::array to_toml_array(const ParamValue& value) {
  toml::array array;
  if (auto* v = std::get_if<std::vector<int64_t>>(&value))
    for (auto x : *v) array.push_back(x);
  if (auto* v = std::get_if<std::vector<double>>(&value))
    for (auto x : *v) array.push_back(x);
  if (auto* v = std::get_if<std::vector<std::string>>(&value))
    for (const auto& x : *v) array.push_back(x);
  return array;
}

toml::table to_toml(const Params& params);

void insert_value(toml::table& table, const std::string& key, const ParamValue& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, ComponentConfig>) {
          toml::table nested = to_toml(*v.params);
          nested.insert("plugin", v.plugin);
          table.insert(key, std::move(nested));
        } else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, int64_t> || std::is_same_v<T, double> ||
                             std::is_same_v<T, std::string>) {
          table.insert(key, v);
        } else {
          table.insert(key, to_toml_array(value));
        }
      },
      value);
}

toml::table to_toml(const Params& params) {
  toml::table table;
  for (const auto& [key, value] : params.values()) insert_value(table, key, value);
  return table;
}

}  // namespace

toml::table component_to_toml(const ComponentConfig& config) {
  toml::table table = to_toml(*config.params);
  table.insert("plugin", config.plugin);
  return table;
}

namespace {

// The resolved text, and its fingerprint: a hash of it without the output path.
void set_resolved(ExperimentConfig& config, const toml::table& resolved) {
  std::ostringstream text_stream;
  text_stream << resolved;
  config.resolved_toml = text_stream.str();
  toml::table fingerprint_table = resolved;
  fingerprint_table["experiment"].as_table()->erase("output");
  std::ostringstream fingerprint_stream;
  fingerprint_stream << fingerprint_table;
  config.fingerprint = fmt::format("{:016x}", stable_hash(fingerprint_stream.str()));
}

}  // namespace

ComponentConfig parse_component_table(const toml::table& table, PluginKind kind, const std::string& section,
                                      const std::string& file, PluginRegistry& registry, const std::string& unsourced) {
  // Input paths in the table are relative to the file that holds it.
  Validator validator(file, std::filesystem::path(file).parent_path(), registry, unsourced);
  return validator.component_from(table, kind, section);
}

ExperimentConfig parse_experiment(std::string_view text, const std::string& source,
                                  const std::filesystem::path& base_dir, const std::vector<std::string>& overrides,
                                  PluginRegistry& registry) {
  toml::table root = parse_toml(text, source);
  if (root.empty())
    throw Error(
        fmt::format("{}: the experiment file is empty; it needs at least [experiment], "
                    "[search_space], [strategy] and [[objectives]]",
                    source));
  for (const std::string& override_text : overrides) apply_override(root, override_text);

  Validator validator(source, base_dir, registry);
  for (auto&& [key, node] : root) {
    const std::string name(key.str());
    if (name == "adapt")
      throw Error(
          fmt::format("{}: this is a `gos adapt` file ([adapt] table, docs/ADAPT.md), not a search "
                      "experiment: run it with `gos adapt {}`; `gos validate` checks it too",
                      toml_location(key.source(), source).to_string(), source));
    if (std::find(kSections.begin(), kSections.end(), name) == kSections.end())
      throw Error(fmt::format("{}: unknown top-level key '{}'{}; valid sections: {}",
                              toml_location(key.source(), source).to_string(), name, did_you_mean(name, kSections),
                              join(kSections, ", ")));
    const bool is_array = name == "objectives";
    if (is_array ? !node.is_array_of_tables() : !node.is_table())
      throw Error(fmt::format("{}: '{}' must be {}, got {}", toml_location(node.source(), source).to_string(), name,
                              is_array ? "an array of tables ([[objectives]])" : "a table", toml_type_name(node)));
  }
  auto section = [&](const char* name) -> const toml::table* {
    const toml::node* node = root.get(name);
    return node ? node->as_table() : nullptr;
  };
  auto required = [&](const char* name) -> const toml::table& {
    const toml::table* table = section(name);
    if (!table) throw Error(fmt::format("{}: missing required section [{}]", source, name));
    return *table;
  };

  ExperimentConfig config;
  config.source = source;
  const auto experiment = validator.validate_table(required("experiment"), experiment_schema(), "experiment", {});
  config.name = experiment->get_string("name");
  if (config.name.empty()) throw experiment->error("name", "must not be empty");
  config.description = experiment->get_string("description");
  config.seed = static_cast<uint64_t>(experiment->get_int("seed"));
  config.output = experiment->get_string("output").empty() ? std::filesystem::path("results") / (config.name + ".h5")
                                                           : std::filesystem::path(experiment->get_string("output"));
  if (experiment->has("max_evaluations")) config.max_evaluations = experiment->get_int("max_evaluations");
  config.cache = experiment->get_bool("cache");

  toml::table empty;
  const toml::table* plugins_table = section("plugins");
  const auto plugins =
      validator.validate_table(plugins_table ? *plugins_table : empty, plugins_schema(), "plugins", {});
  for (const std::string& path : plugins->get_strings("paths")) {
    const std::filesystem::path dir =
        std::filesystem::path(path).is_absolute() ? std::filesystem::path(path) : base_dir / path;
    config.plugin_paths.push_back(dir);
    try {
      registry.load_directory(dir);
    } catch (const Error& e) {
      throw Error(fmt::format("{}: [plugins] paths: {}", plugins->location("paths").to_string(), e.what()));
    }
  }

  config.search_space = validator.component_from(required("search_space"), PluginKind::kSearchSpace, "search_space");
  config.strategy = validator.component_from(required("strategy"), PluginKind::kStrategy, "strategy");
  if (const toml::table* mutator = section("mutator"))
    config.mutator = validator.component_from(*mutator, PluginKind::kMutator, "mutator");

  const toml::node* objectives_node = root.get("objectives");
  if (!objectives_node || objectives_node->as_array()->empty())
    throw Error(fmt::format("{}: missing [[objectives]]: an experiment needs at least one objective", source));
  const toml::array& objectives = *objectives_node->as_array();
  ParamSchema role_schema;
  role_schema.string("name", "", "label in results; default: the plugin's name for it")
      .string("direction", std::nullopt, "default: the plugin's", {"minimize", "maximize"})
      .optional()
      .real("max", std::nullopt, -HUGE_VAL, HUGE_VAL, "constraint: value <= max")
      .optional()
      .real("min", std::nullopt, -HUGE_VAL, HUGE_VAL, "constraint: value >= min")
      .optional()
      .boolean("optimize", true, "rank candidates by this objective; false makes it a pure constraint");
  size_t optimized = 0;
  for (size_t i = 0; i < objectives.size(); ++i) {
    const toml::table& table = *objectives[i].as_table();
    const std::string section_name = fmt::format("objectives[{}]", i);
    ObjectiveConfig objective;
    objective.component = validator.component_from(table, PluginKind::kObjective, section_name, kObjectiveKeys);
    // The role keys with their own schema, on the file's own table so that
    // errors keep their line and column (toml++ copies lose them).
    std::vector<std::string> plugin_keys;
    for (auto&& [key, node] : table)
      if (std::find(kObjectiveKeys.begin(), kObjectiveKeys.end(), key.str()) == kObjectiveKeys.end())
        plugin_keys.emplace_back(key.str());
    const auto role = validator.validate_table(table, role_schema, section_name, plugin_keys);
    objective.role.name = role->get_string("name");
    if (role->has("direction"))
      objective.direction = role->get_string("direction") == "maximize" ? Direction::kMaximize : Direction::kMinimize;
    if (role->has("max")) objective.role.max = role->get_real("max");
    if (role->has("min")) objective.role.min = role->get_real("min");
    objective.role.optimize = role->get_bool("optimize");
    if (objective.role.min && objective.role.max && *objective.role.min > *objective.role.max)
      throw Error(fmt::format("{}: [{}] min = {} is above max = {}: no value can satisfy it",
                              toml_location(table.source(), source).to_string(), section_name, *objective.role.min,
                              *objective.role.max));
    if (!objective.role.optimize && !objective.role.is_constraint())
      throw Error(fmt::format("{}: [{}] optimize = false needs a bound (max or min), or the objective does nothing",
                              toml_location(table.source(), source).to_string(), section_name));
    if (objective.role.optimize) ++optimized;
    config.objectives.push_back(std::move(objective));
  }
  if (optimized == 0)
    throw Error(fmt::format("{}: every objective has optimize = false; at least one must be optimised", source));

  std::shared_ptr<Params> indicators;
  if (const toml::table* table = section("indicators")) {
    indicators = validator.validate_table(*table, indicators_schema(), "indicators", {});
    if (indicators->has("reference_point")) {
      config.indicators.reference_point = indicators->get_reals("reference_point");
      const size_t size = config.indicators.reference_point.size();
      if (size != optimized)
        throw indicators->error("reference_point", fmt::format("has {} coordinates but the experiment optimises {} "
                                                               "objectives; give one per optimised objective",
                                                               size, optimized));
      if (size < 2 || size > 4)
        throw indicators->error("reference_point",
                                fmt::format("exact hypervolume is available for 2 to 4 optimised objectives, not {}; "
                                            "remove reference_point",
                                            size));
    }
    config.indicators.igd = indicators->get_bool("igd");
    config.indicators.igd_location = indicators->location("igd");
    config.indicators.igd_points = indicators->get_int("igd_points");
  }

  // Resolved text: every default filled in, in a stable key order.
  toml::table resolved;
  resolved.insert("experiment", to_toml(*experiment));
  resolved.insert("plugins", to_toml(*plugins));
  resolved.insert("search_space", component_to_toml(config.search_space));
  resolved.insert("strategy", component_to_toml(config.strategy));
  if (config.mutator) resolved.insert("mutator", component_to_toml(*config.mutator));
  toml::array resolved_objectives;
  for (size_t i = 0; i < objectives.size(); ++i) {
    toml::table table = component_to_toml(config.objectives[i].component);
    for (const std::string& key : kObjectiveKeys)
      if (const toml::node* node = objectives[i].as_table()->get(key)) table.insert(key, *node);
    resolved_objectives.push_back(std::move(table));
  }
  resolved.insert("objectives", std::move(resolved_objectives));
  if (indicators) resolved.insert("indicators", to_toml(*indicators));
  set_resolved(config, resolved);
  return config;
}

void resolve_objective_roles(ExperimentConfig& config, const std::vector<ObjectiveRole>& roles) {
  toml::table resolved = parse_toml(config.resolved_toml, config.source + " (resolved)");
  toml::array* objectives = resolved["objectives"].as_array();
  if (!objectives || objectives->size() != roles.size())
    throw std::logic_error("resolve_objective_roles: one role per [[objectives]] table expected");
  for (size_t i = 0; i < roles.size(); ++i) {
    toml::table& table = *objectives->get(i)->as_table();
    table.insert_or_assign("name", roles[i].name);
    table.insert_or_assign("direction", std::string(to_string(roles[i].direction)));
    table.insert_or_assign("optimize", roles[i].optimize);
  }
  set_resolved(config, resolved);
}

ExperimentConfig load_experiment(const std::filesystem::path& file, const std::vector<std::string>& overrides,
                                 PluginRegistry& registry) {
  std::ifstream stream(file, std::ios::binary);
  if (!stream) throw Error(fmt::format("cannot read experiment file '{}': {}", file.string(), std::strerror(errno)));
  std::stringstream buffer;
  buffer << stream.rdbuf();
  return parse_experiment(buffer.str(), file.string(), file.parent_path().empty() ? "." : file.parent_path(), overrides,
                          registry);
}

}  // namespace gos
