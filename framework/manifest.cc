#include "framework/manifest.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <system_error>
#include <toml++/toml.h>

namespace gos {
namespace {

constexpr int kManifestFormat = 1;

std::optional<ParamType> param_type_from_string(std::string_view text) {
  for (ParamType type : kAllParamTypes)
    if (text == to_string(type)) return type;
  return std::nullopt;
}

template <typename T>
toml::array to_array(const std::vector<T>& values) {
  toml::array array;
  for (const T& value : values) array.push_back(value);
  return array;
}

void put_value(toml::table& table, const ParamValue& value) {
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, ComponentConfig>)
          table.insert("default", v.plugin);
        else if constexpr (std::is_same_v<V, std::vector<int64_t>> || std::is_same_v<V, std::vector<double>> ||
                           std::is_same_v<V, std::vector<std::string>>)
          table.insert("default", to_array(v));
        else
          table.insert("default", v);
      },
      value);
}

// Reads one manifest key; every problem names the source file and the key.
class Reader {
 public:
  Reader(const toml::table& table, std::string source, std::string where)
      : table_(table), source_(std::move(source)), where_(std::move(where)) {}

  template <typename T>
  T get(std::string_view key) const {
    if (auto value = table_[key].value<T>()) return *value;
    throw error(key, "is missing or has the wrong type");
  }
  template <typename T>
  std::optional<T> maybe(std::string_view key) const {
    return table_[key].value<T>();
  }
  template <typename T>
  std::vector<T> list(std::string_view key) const {
    std::vector<T> values;
    const toml::array* array = table_[key].as_array();
    if (!array) throw error(key, "is missing or not an array");
    for (const toml::node& node : *array) {
      auto value = node.value<T>();
      if (!value) throw error(key, "has an element of the wrong type");
      values.push_back(*value);
    }
    return values;
  }
  Error error(std::string_view key, std::string_view problem) const {
    return Error(fmt::format("plugin manifest '{}': {}key '{}' {}; delete the file or rebuild the plugin", source_,
                             where_.empty() ? "" : "[" + where_ + "] ", key, problem));
  }

 private:
  const toml::table& table_;
  std::string source_;
  std::string where_;
};

ParamValue read_default(const Reader& reader, const ParamSpec& spec) {
  switch (spec.type) {
    case ParamType::kBool: return reader.get<bool>("default");
    case ParamType::kInt: return reader.get<int64_t>("default");
    case ParamType::kReal: return reader.get<double>("default");
    case ParamType::kString: return reader.get<std::string>("default");
    case ParamType::kIntList: return reader.list<int64_t>("default");
    case ParamType::kRealList: return reader.list<double>("default");
    case ParamType::kStringList: return reader.list<std::string>("default");
    case ParamType::kComponent: return ComponentConfig{reader.get<std::string>("default"), {}, {}, nullptr};
  }
  throw reader.error("default", "has an unknown type");
}

}  // namespace

std::filesystem::path manifest_path(const std::filesystem::path& library) {
  return library.string() + ".manifest";
}

std::string format_manifest(const PluginManifest& manifest) {
  toml::table root{{"format", kManifestFormat},
                   {"abi_version", static_cast<int64_t>(manifest.abi_version)},
                   {"gos_version", manifest.gos_version},
                   {"build_tag", manifest.build_tag},
                   {"name", manifest.name},
                   {"kind", to_string(manifest.kind)},
                   {"version", manifest.version},
                   {"summary", manifest.summary},
                   {"library_size", static_cast<int64_t>(manifest.library_size)}};
  toml::array parameters;
  for (const ParamSpec& spec : manifest.schema.specs()) {
    toml::table entry{{"name", spec.name}, {"type", to_string(spec.type)}, {"help", spec.help}};
    if (spec.default_value) put_value(entry, *spec.default_value);
    if (spec.min) entry.insert("min", *spec.min);
    if (spec.max) entry.insert("max", *spec.max);
    if (!spec.choices.empty()) entry.insert("choices", to_array(spec.choices));
    if (spec.type == ParamType::kComponent) entry.insert("component_kind", to_string(spec.component_kind));
    if (spec.optional) entry.insert("optional", true);
    parameters.push_back(std::move(entry));
  }
  root.insert("parameters", std::move(parameters));
  std::ostringstream out;
  out << "# Written by `gos plugin-manifest`; describes the plugin library beside it.\n" << root << "\n";
  return out.str();
}

PluginManifest parse_manifest(std::string_view text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw Error(fmt::format("plugin manifest '{}' is not valid TOML: {}", source, e.description()));
  }
  const Reader reader(root, source, "");
  if (reader.get<int64_t>("format") != kManifestFormat) throw reader.error("format", "is not a known format");
  PluginManifest manifest;
  manifest.abi_version = static_cast<uint32_t>(reader.get<int64_t>("abi_version"));
  manifest.gos_version = reader.get<std::string>("gos_version");
  manifest.build_tag = reader.get<std::string>("build_tag");
  manifest.name = reader.get<std::string>("name");
  const auto kind = plugin_kind_from_string(reader.get<std::string>("kind"));
  if (!kind) throw reader.error("kind", "names no plugin kind");
  manifest.kind = *kind;
  manifest.version = reader.get<std::string>("version");
  manifest.summary = reader.get<std::string>("summary");
  manifest.library_size = static_cast<uintmax_t>(reader.get<int64_t>("library_size"));
  const toml::array* parameters = root["parameters"].as_array();
  if (!parameters) throw reader.error("parameters", "is missing");
  for (const toml::node& node : *parameters) {
    const toml::table* table = node.as_table();
    if (!table) throw reader.error("parameters", "holds something that is not a table");
    const Reader entry(*table, source, "parameters");
    ParamSpec spec;
    spec.name = entry.get<std::string>("name");
    const auto type = param_type_from_string(entry.get<std::string>("type"));
    if (!type) throw entry.error("type", "names no parameter type");
    spec.type = *type;
    spec.help = entry.get<std::string>("help");
    if (spec.type == ParamType::kComponent) {
      const auto component_kind = plugin_kind_from_string(entry.get<std::string>("component_kind"));
      if (!component_kind) throw entry.error("component_kind", "names no plugin kind");
      spec.component_kind = *component_kind;
    }
    if ((*table)["default"]) spec.default_value = read_default(entry, spec);
    spec.min = entry.maybe<double>("min");
    spec.max = entry.maybe<double>("max");
    if ((*table)["choices"]) spec.choices = entry.list<std::string>("choices");
    spec.optional = entry.maybe<bool>("optional").value_or(false);
    manifest.schema.declare(std::move(spec));
  }
  return manifest;
}

void write_manifest(const PluginManifest& manifest, const std::filesystem::path& library) {
  const std::filesystem::path target = manifest_path(library);
  const std::filesystem::path temporary = target.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << format_manifest(manifest);
    if (!out.flush()) throw Error(fmt::format("cannot write plugin manifest '{}'", temporary.string()));
  }
  std::error_code ec;
  std::filesystem::rename(temporary, target, ec);
  if (ec) throw Error(fmt::format("cannot write plugin manifest '{}': {}", target.string(), ec.message()));
}

std::optional<PluginManifest> read_fresh_manifest(const std::filesystem::path& library) {
  const std::filesystem::path path = manifest_path(library);
  std::error_code ec;
  const auto manifest_time = std::filesystem::last_write_time(path, ec);
  if (ec) return std::nullopt;
  const auto library_time = std::filesystem::last_write_time(library, ec);
  if (ec || manifest_time < library_time) return std::nullopt;
  const uintmax_t size = std::filesystem::file_size(library, ec);
  if (ec) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  PluginManifest manifest;
  try {
    manifest = parse_manifest(text.str(), path.string());
  } catch (const Error&) {
    return std::nullopt;  // a damaged manifest only costs loading the library
  }
  if (manifest.library_size != size) return std::nullopt;
  return manifest;
}

}  // namespace gos
