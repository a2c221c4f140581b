#include "framework/plugin_registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>
#include <cstdlib>
#include <sstream>

#include "framework/text.h"

namespace gos {

Component::~Component() = default;
PluginHost::~PluginHost() = default;

std::vector<std::filesystem::path> PluginRegistry::default_paths() {
  std::vector<std::filesystem::path> paths;
  boost::dll::fs::error_code ec;
  const std::filesystem::path exe = boost::dll::program_location(ec);
  if (!ec) {
    const std::filesystem::path beside = exe.parent_path() / "plugins";
    if (std::filesystem::is_directory(beside)) paths.push_back(beside);
  }
  if (const char* env = std::getenv("GOS_PLUGIN_PATH")) {
    std::stringstream stream(env);
    std::string entry;
    while (std::getline(stream, entry, ':'))
      if (!entry.empty()) paths.emplace_back(entry);
  }
  return paths;
}

void PluginRegistry::load_directory(const std::filesystem::path& dir) {
  const auto canonical = std::filesystem::weakly_canonical(dir);
  if (std::find(loaded_dirs_.begin(), loaded_dirs_.end(), canonical) != loaded_dirs_.end()) return;
  if (!std::filesystem::is_directory(dir))
    throw Error(fmt::format("plugin directory '{}' does not exist or is not a directory", dir.string()));
  loaded_dirs_.push_back(canonical);
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string file = entry.path().filename().string();
    if (entry.is_regular_file() && file.starts_with("libgos_") && entry.path().extension() == ".so")
      files.push_back(entry.path());
  }
  // Sorted so that duplicate-name errors name the same file every time.
  std::sort(files.begin(), files.end());
  for (const auto& file : files) load_file(file);
}

void PluginRegistry::load_file(const std::filesystem::path& file) {
  boost::dll::shared_library library;
  boost::dll::fs::error_code ec;
  library.load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (ec)
    throw Error(fmt::format("plugin library '{}' failed to load: {}", file.string(), ec.message()));
  if (!library.has(kPluginEntryPoint))
    throw Error(fmt::format("plugin library '{}' has no entry point '{}'; define it with GOS_PLUGIN(...)",
                            file.string(), kPluginEntryPoint));
  auto& entry = library.get<PluginEntryPoint>(kPluginEntryPoint);
  const PluginDescriptor* descriptor = entry();
  if (!descriptor) throw Error(fmt::format("plugin library '{}' returned no descriptor", file.string()));
  if (descriptor->abi_version != kPluginAbiVersion)
    throw Error(fmt::format("plugin library '{}' was built for plugin ABI version {}, but this gos uses "
                            "version {}; rebuild the plugin against this gos",
                            file.string(), descriptor->abi_version, kPluginAbiVersion));
  const std::string name = descriptor->name ? descriptor->name : "";
  if (name.empty()) throw Error(fmt::format("plugin library '{}' has an empty name", file.string()));
  if (auto it = records_.find(name); it != records_.end())
    throw Error(fmt::format("plugin name '{}' is registered twice: by '{}' and by '{}'", name,
                            it->second.path.string(), file.string()));
  PluginRecord record{name,
                      descriptor->kind,
                      descriptor->version ? descriptor->version : "",
                      descriptor->summary ? descriptor->summary : "",
                      file,
                      descriptor->schema ? descriptor->schema() : ParamSchema(),
                      descriptor};
  records_.emplace(name, std::move(record));
  libraries_.push_back(std::move(library));
}

const PluginRecord& PluginRegistry::find(std::string_view name, PluginKind kind, const std::string& where) const {
  auto it = records_.find(name);
  if (it != records_.end() && it->second.kind == kind) return it->second;
  const std::vector<std::string> valid = names(kind);
  if (it != records_.end())
    throw Error(fmt::format("{}: plugin '{}' is a {} plugin, not a {} plugin; {} plugins: {}", where, name,
                            to_string(it->second.kind), to_string(kind), to_string(kind),
                            valid.empty() ? "(none loaded)" : join(valid, ", ")));
  throw Error(fmt::format("{}: unknown {} plugin '{}'{}; {} plugins: {}", where, to_string(kind), name,
                          did_you_mean(name, valid), to_string(kind),
                          valid.empty() ? "(none loaded; check the plugin paths)" : join(valid, ", ")));
}

std::vector<const PluginRecord*> PluginRegistry::plugins() const {
  std::vector<const PluginRecord*> result;
  for (const auto& [name, record] : records_) result.push_back(&record);
  std::stable_sort(result.begin(), result.end(),
                   [](const PluginRecord* a, const PluginRecord* b) { return a->kind < b->kind; });
  return result;
}

std::vector<std::string> PluginRegistry::names(PluginKind kind) const {
  std::vector<std::string> result;
  for (const auto& [name, record] : records_)
    if (record.kind == kind) result.push_back(name);
  return result;
}

std::unique_ptr<Component> PluginRegistry::create_component(const ComponentConfig& config, PluginKind kind) {
  const PluginRecord& record = find(config.plugin, kind, config.location.to_string() + ": [" + config.section + "]");
  if (!config.params) throw std::logic_error("component '" + config.section + "' created before validation");
  std::unique_ptr<Component> component;
  try {
    component = record.descriptor->create(*config.params, *this);
  } catch (const std::exception& e) {
    throw Error(fmt::format("[{}] plugin '{}' ({}) failed to start: {}", config.section, config.plugin,
                            record.path.string(), e.what()));
  }
  if (!component)
    throw Error(fmt::format("[{}] plugin '{}' ({}) created nothing", config.section, config.plugin,
                            record.path.string()));
  return component;
}

}  // namespace gos
