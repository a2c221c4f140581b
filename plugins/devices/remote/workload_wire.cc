#include "plugins/devices/remote/workload_wire.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <sstream>

namespace gos::remote {
namespace {

toml::table to_table(const ComponentConfig& component);

void insert(toml::table& table, const std::string& key, const ParamValue& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, ComponentConfig>) {
          table.insert(key, to_table(v));
        } else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, int64_t> || std::is_same_v<T, double> ||
                             std::is_same_v<T, std::string>) {
          table.insert(key, v);
        } else {
          toml::array array;
          for (const auto& item : v) array.push_back(item);
          table.insert(key, std::move(array));
        }
      },
      value);
}

toml::table to_table(const ComponentConfig& component) {
  toml::table table;
  table.insert("plugin", component.plugin);
  if (component.params)
    for (const auto& [key, value] : component.params->values()) insert(table, key, value);
  return table;
}

std::string render(const toml::table& root) {
  std::ostringstream out;
  out << root << "\n";
  return out.str();
}

}  // namespace

WireWorkload to_wire(const WorkloadSpec& spec) {
  WireWorkload wire;
  wire.kind = spec.kind == WorkloadSpec::Kind::kGenome ? WireWorkload::Kind::kGenome : WireWorkload::Kind::kKernel;
  toml::table root;
  root.insert("search_space", to_table(spec.space));
  wire.space_toml = render(root);
  wire.genome = spec.genome;
  wire.kernel_type = spec.kernel.type;
  wire.kernel_key = spec.kernel.key;
  wire.kernel_flops = spec.kernel.flops;
  wire.kernel_params = spec.kernel.params;
  wire.kernel_features = spec.kernel.features;
  return wire;
}

std::string checked_space_table(const std::string& space_toml) {
  toml::table root;
  try {
    root = toml::parse(std::string_view(space_toml), std::string_view("<request>"));
  } catch (const toml::parse_error& e) {
    throw Error(fmt::format("the search space table is not TOML: {}", e.description()));
  }
  if (root.size() != 1 || !root.get_as<toml::table>("search_space"))
    throw Error("the request must hold exactly one [search_space] table and nothing else");
  toml::table only;
  only.insert("search_space", *root.get_as<toml::table>("search_space"));
  return render(only);
}

}  // namespace gos::remote
