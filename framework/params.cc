#include "framework/params.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

namespace gos {

const char* to_string(PluginKind kind) {
  switch (kind) {
    case PluginKind::kSearchSpace: return "search_space";
    case PluginKind::kStrategy: return "strategy";
    case PluginKind::kObjective: return "objective";
    case PluginKind::kMutator: return "mutator";
    case PluginKind::kLatencyModel: return "latency_model";
    case PluginKind::kDevice: return "device";
    case PluginKind::kTrainer: return "trainer";
  }
  return "unknown";
}

std::optional<PluginKind> plugin_kind_from_string(std::string_view text) {
  for (PluginKind kind : kAllPluginKinds)
    if (text == to_string(kind)) return kind;
  return std::nullopt;
}

const char* to_string(ParamType type) {
  switch (type) {
    case ParamType::kBool: return "boolean";
    case ParamType::kInt: return "integer";
    case ParamType::kReal: return "number";
    case ParamType::kString: return "string";
    case ParamType::kIntList: return "array of integers";
    case ParamType::kRealList: return "array of numbers";
    case ParamType::kStringList: return "array of strings";
    case ParamType::kComponent: return "table with a `plugin` key";
  }
  return "unknown";
}

std::string SourceLocation::to_string() const {
  if (file.empty()) return "<unknown>";
  if (line <= 0) return file;
  return fmt::format("{}:{}:{}", file, line, column);
}

namespace {
std::string format_number(double v) {
  // INT64 limits stand for "unbounded" in integer schemas.
  if (std::isinf(v) || std::fabs(v) >= 9.2e18) return v > 0 ? "inf" : "-inf";
  return fmt::format("{}", v);
}
}  // namespace

std::string format_value(const ParamValue& value) {
  struct Visitor {
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const { return format_number(v); }
    std::string operator()(const std::string& v) const { return fmt::format("\"{}\"", v); }
    std::string operator()(const std::vector<int64_t>& v) const { return fmt::format("[{}]", fmt::join(v, ", ")); }
    std::string operator()(const std::vector<double>& v) const {
      std::vector<std::string> parts;
      for (double d : v) parts.push_back(format_number(d));
      return fmt::format("[{}]", fmt::join(parts, ", "));
    }
    std::string operator()(const std::vector<std::string>& v) const {
      std::vector<std::string> parts;
      for (const auto& s : v) parts.push_back(fmt::format("\"{}\"", s));
      return fmt::format("[{}]", fmt::join(parts, ", "));
    }
    std::string operator()(const ComponentConfig& v) const { return fmt::format("{{ plugin = \"{}\" }}", v.plugin); }
  };
  return std::visit(Visitor{}, value);
}

std::string ParamSpec::describe_type() const {
  std::string text = to_string(type);
  if (type == ParamType::kComponent) return fmt::format("{} plugin table", gos::to_string(component_kind));
  if (!choices.empty()) return fmt::format("{} (one of: {})", text, fmt::join(choices, ", "));
  if (min || max) {
    const std::string lo = min ? format_number(*min) : "-inf";
    const std::string hi = max ? format_number(*max) : "inf";
    return fmt::format("{} in [{}, {}]", text, lo, hi);
  }
  return text;
}

ParamSchema& ParamSchema::add(ParamSpec spec) {
  if (find(spec.name)) throw std::logic_error("parameter declared twice: " + spec.name);
  specs_.push_back(std::move(spec));
  return *this;
}

ParamSchema& ParamSchema::boolean(std::string name, bool default_value, std::string help) {
  return add({std::move(name), ParamType::kBool, std::move(help), ParamValue(default_value), {}, {}, {}});
}

ParamSchema& ParamSchema::integer(std::string name, std::optional<int64_t> default_value, int64_t min,
                                  int64_t max, std::string help) {
  ParamSpec spec{std::move(name), ParamType::kInt, std::move(help), {}, static_cast<double>(min),
                 static_cast<double>(max), {}};
  if (default_value) spec.default_value = ParamValue(*default_value);
  return add(std::move(spec));
}

ParamSchema& ParamSchema::real(std::string name, std::optional<double> default_value, double min, double max,
                               std::string help) {
  ParamSpec spec{std::move(name), ParamType::kReal, std::move(help), {}, min, max, {}};
  if (default_value) spec.default_value = ParamValue(*default_value);
  return add(std::move(spec));
}

ParamSchema& ParamSchema::string(std::string name, std::optional<std::string> default_value, std::string help,
                                 std::vector<std::string> choices) {
  ParamSpec spec{std::move(name), ParamType::kString, std::move(help), {}, {}, {}, std::move(choices)};
  if (default_value) spec.default_value = ParamValue(std::move(*default_value));
  return add(std::move(spec));
}

ParamSchema& ParamSchema::integers(std::string name, std::optional<std::vector<int64_t>> default_value,
                                   int64_t min, int64_t max, std::string help) {
  ParamSpec spec{std::move(name), ParamType::kIntList, std::move(help), {}, static_cast<double>(min),
                 static_cast<double>(max), {}};
  if (default_value) spec.default_value = ParamValue(std::move(*default_value));
  return add(std::move(spec));
}

ParamSchema& ParamSchema::reals(std::string name, std::optional<std::vector<double>> default_value, double min,
                                double max, std::string help) {
  ParamSpec spec{std::move(name), ParamType::kRealList, std::move(help), {}, min, max, {}};
  if (default_value) spec.default_value = ParamValue(std::move(*default_value));
  return add(std::move(spec));
}

ParamSchema& ParamSchema::strings(std::string name, std::optional<std::vector<std::string>> default_value,
                                  std::string help, std::vector<std::string> choices) {
  ParamSpec spec{std::move(name), ParamType::kStringList, std::move(help), {}, {}, {}, std::move(choices)};
  if (default_value) spec.default_value = ParamValue(std::move(*default_value));
  return add(std::move(spec));
}

ParamSchema& ParamSchema::component(std::string name, PluginKind kind, std::string default_plugin,
                                    std::string help) {
  ParamSpec spec{std::move(name), ParamType::kComponent, std::move(help), {}, {}, {}, {}};
  spec.component_kind = kind;
  if (!default_plugin.empty()) spec.default_value = ParamValue(ComponentConfig{default_plugin, {}, {}, nullptr});
  return add(std::move(spec));
}

ParamSchema& ParamSchema::optional() {
  if (specs_.empty()) throw std::logic_error("optional() before any parameter");
  specs_.back().optional = true;
  specs_.back().default_value.reset();
  return *this;
}

const ParamSpec* ParamSchema::find(std::string_view name) const {
  for (const auto& spec : specs_)
    if (spec.name == name) return &spec;
  return nullptr;
}

std::vector<std::string> ParamSchema::names() const {
  std::vector<std::string> result;
  for (const auto& spec : specs_) result.push_back(spec.name);
  return result;
}

bool Params::has(std::string_view name) const { return values_.find(name) != values_.end(); }

const ParamValue& Params::value(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end())
    throw std::logic_error(fmt::format("[{}] parameter '{}' read but not declared or not set", section_, name));
  return it->second;
}

namespace {
template <typename T>
const T& typed(const ParamValue& value, std::string_view section, std::string_view name) {
  if (const T* v = std::get_if<T>(&value)) return *v;
  throw std::logic_error(fmt::format("[{}] parameter '{}' read with the wrong type", section, name));
}
}  // namespace

bool Params::get_bool(std::string_view name) const { return typed<bool>(value(name), section_, name); }
int64_t Params::get_int(std::string_view name) const { return typed<int64_t>(value(name), section_, name); }
double Params::get_real(std::string_view name) const {
  const ParamValue& v = value(name);
  if (const int64_t* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  return typed<double>(v, section_, name);
}
const std::string& Params::get_string(std::string_view name) const {
  return typed<std::string>(value(name), section_, name);
}
const std::vector<int64_t>& Params::get_ints(std::string_view name) const {
  return typed<std::vector<int64_t>>(value(name), section_, name);
}
const std::vector<double>& Params::get_reals(std::string_view name) const {
  return typed<std::vector<double>>(value(name), section_, name);
}
const std::vector<std::string>& Params::get_strings(std::string_view name) const {
  return typed<std::vector<std::string>>(value(name), section_, name);
}
const ComponentConfig& Params::get_component(std::string_view name) const {
  return typed<ComponentConfig>(value(name), section_, name);
}

SourceLocation Params::location(std::string_view name) const {
  auto it = locations_.find(name);
  return it == locations_.end() ? table_location_ : it->second;
}

Error Params::error(std::string_view name, std::string_view message) const {
  return Error(fmt::format("{}: [{}] {}: {}", location(name).to_string(), section_, name, message));
}

void Params::set(std::string name, ParamValue value, SourceLocation where) {
  locations_[name] = std::move(where);
  values_[std::move(name)] = std::move(value);
}

}  // namespace gos
