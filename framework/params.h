#pragma once
// Typed, validated plugin parameters.
//
// A plugin declares its parameters once in a ParamSchema (name, type, default,
// legal range or choices, help). The framework validates the plugin's TOML
// table against that schema before the plugin sees it: wrong types, values out
// of range, unknown keys (with the closest valid name) and missing required keys
// are reported with file:line:column. The plugin then reads a Params whose
// getters cannot fail for declared keys.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "framework/error.h"

namespace gos {

enum class PluginKind : int {
  kSearchSpace = 0,
  kStrategy = 1,
  kObjective = 2,
  kMutator = 3,
  kLatencyModel = 4,
  kDevice = 5,
  kTrainer = 6,
};
const char* to_string(PluginKind kind);
inline constexpr PluginKind kAllPluginKinds[] = {PluginKind::kSearchSpace, PluginKind::kStrategy,
                                                 PluginKind::kObjective,   PluginKind::kMutator,
                                                 PluginKind::kLatencyModel, PluginKind::kDevice,
                                                 PluginKind::kTrainer};
// The kind whose to_string() is `text`; nullopt when there is none.
std::optional<PluginKind> plugin_kind_from_string(std::string_view text);

// Where a value came from: a TOML file position, or a command-line override.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
  std::string to_string() const;  // "file:line:column", "file" or "--set"
};

enum class ParamType { kBool, kInt, kReal, kString, kIntList, kRealList, kStringList, kComponent };
const char* to_string(ParamType type);
inline constexpr ParamType kAllParamTypes[] = {ParamType::kBool,    ParamType::kInt,      ParamType::kReal,
                                               ParamType::kString,  ParamType::kIntList,  ParamType::kRealList,
                                               ParamType::kStringList, ParamType::kComponent};

class Params;
// A nested component: a table with `plugin = "name"` plus that plugin's keys.
struct ComponentConfig {
  std::string plugin;
  std::string section;  // e.g. "strategy", "objectives[1]", "objectives[0].model"
  SourceLocation location;
  std::shared_ptr<const Params> params;
};

using ParamValue = std::variant<bool, int64_t, double, std::string, std::vector<int64_t>,
                                std::vector<double>, std::vector<std::string>, ComponentConfig>;
std::string format_value(const ParamValue& value);

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::kInt;
  std::string help;
  std::optional<ParamValue> default_value;  // empty: the key is required
  std::optional<double> min;                // numbers and every element of numeric lists
  std::optional<double> max;
  std::vector<std::string> choices;         // strings and string lists; empty: any string
  PluginKind component_kind = PluginKind::kSearchSpace;  // for kComponent
  bool optional = false;                    // no default, yet not required
  std::string describe_type() const;        // "integer in [2, 1000]", "one of {a, b}", ...
};

class ParamSchema {
 public:
  ParamSchema& boolean(std::string name, bool default_value, std::string help);
  ParamSchema& integer(std::string name, std::optional<int64_t> default_value, int64_t min, int64_t max,
                       std::string help);
  ParamSchema& real(std::string name, std::optional<double> default_value, double min, double max,
                    std::string help);
  ParamSchema& string(std::string name, std::optional<std::string> default_value, std::string help,
                      std::vector<std::string> choices = {});
  ParamSchema& integers(std::string name, std::optional<std::vector<int64_t>> default_value, int64_t min,
                        int64_t max, std::string help);
  ParamSchema& reals(std::string name, std::optional<std::vector<double>> default_value, double min,
                     double max, std::string help);
  ParamSchema& strings(std::string name, std::optional<std::vector<std::string>> default_value,
                       std::string help, std::vector<std::string> choices = {});
  // A nested component of the given kind; `default_plugin` empty means required.
  ParamSchema& component(std::string name, PluginKind kind, std::string default_plugin, std::string help);
  // Marks the last declared parameter as optional: it may be absent and has no default.
  ParamSchema& optional();
  // Declares a parameter from a whole spec (schemas read back from a plugin manifest).
  ParamSchema& declare(ParamSpec spec) { return add(std::move(spec)); }

  const std::vector<ParamSpec>& specs() const { return specs_; }
  const ParamSpec* find(std::string_view name) const;
  std::vector<std::string> names() const;

 private:
  ParamSchema& add(ParamSpec spec);
  std::vector<ParamSpec> specs_;
};

// Validated values of one component's table. Defaults are filled in, so every
// declared key that has a default can be read.
class Params {
 public:
  Params(std::string section, SourceLocation table_location) : section_(std::move(section)), table_location_(std::move(table_location)) {}

  bool has(std::string_view name) const;
  bool get_bool(std::string_view name) const;
  int64_t get_int(std::string_view name) const;
  double get_real(std::string_view name) const;
  const std::string& get_string(std::string_view name) const;
  const std::vector<int64_t>& get_ints(std::string_view name) const;
  const std::vector<double>& get_reals(std::string_view name) const;
  const std::vector<std::string>& get_strings(std::string_view name) const;
  const ComponentConfig& get_component(std::string_view name) const;

  // Where the key was written (or where its table was, for defaults).
  SourceLocation location(std::string_view name) const;
  const std::string& section() const { return section_; }
  // An error about one key, prefixed with its location and section, for
  // checks a schema cannot express (cross-field rules, files that must exist).
  Error error(std::string_view name, std::string_view message) const;

  void set(std::string name, ParamValue value, SourceLocation where);
  const std::map<std::string, ParamValue, std::less<>>& values() const { return values_; }

 private:
  const ParamValue& value(std::string_view name) const;
  std::string section_;
  SourceLocation table_location_;
  std::map<std::string, ParamValue, std::less<>> values_;
  std::map<std::string, SourceLocation, std::less<>> locations_;
};

}  // namespace gos
