#include "framework/plugin_registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>
#include <cstdlib>
#include <sstream>

#include "framework/text.h"

#ifndef GOS_RELATIVE_PLUGIN_DIR
#define GOS_RELATIVE_PLUGIN_DIR "../lib/gos/plugins"
#endif

namespace gos {

Component::~Component() = default;
PluginHost::~PluginHost() = default;

namespace {

std::string abi_mismatch(const std::filesystem::path& file, uint32_t plugin_version) {
  return fmt::format("plugin library '{}' was built for plugin ABI version {}, but this gos uses version {}; "
                     "rebuild the plugin against this gos",
                     file.string(), plugin_version, kPluginAbiVersion);
}

std::string tag_mismatch(const std::filesystem::path& file, std::string_view plugin_tag) {
  return fmt::format("plugin library '{}' was built with tag '{}', but this gos has tag '{}' (compiler, "
                     "C++ library ABI and framework headers must match); rebuild the plugin against this gos",
                     file.string(), plugin_tag, kHostBuildTag);
}

}  // namespace

PluginManifest inspect_plugin_library(const std::filesystem::path& file, boost::dll::shared_library& library,
                                      const PluginDescriptor** descriptor_out) {
  boost::dll::fs::error_code ec;
  library.load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (ec) throw Error(fmt::format("plugin library '{}' failed to load: {}", file.string(), ec.message()));
  if (!library.has(kPluginEntryPoint))
    throw Error(fmt::format("plugin library '{}' has no entry point '{}'; define it with GOS_PLUGIN(...)",
                            file.string(), kPluginEntryPoint));
  auto& entry = library.get<PluginEntryPoint>(kPluginEntryPoint);
  const PluginDescriptor* descriptor = entry();
  if (!descriptor) throw Error(fmt::format("plugin library '{}' returned no descriptor", file.string()));
  // Nothing but abi_version is read before it matches: the rest of the
  // layout may differ.
  if (descriptor->abi_version != kPluginAbiVersion)
    throw Error(abi_mismatch(file, descriptor->abi_version));
  const std::string tag = descriptor->build_tag ? descriptor->build_tag : "";
  if (tag != kHostBuildTag) throw Error(tag_mismatch(file, tag));
  PluginManifest manifest;
  manifest.abi_version = descriptor->abi_version;
  manifest.gos_version = descriptor->gos_version ? descriptor->gos_version : "";
  manifest.build_tag = tag;
  manifest.name = descriptor->name ? descriptor->name : "";
  if (manifest.name.empty()) throw Error(fmt::format("plugin library '{}' has an empty name", file.string()));
  manifest.kind = descriptor->kind;
  manifest.version = descriptor->version ? descriptor->version : "";
  manifest.summary = descriptor->summary ? descriptor->summary : "";
  if (descriptor->schema) {
    try {
      manifest.schema = descriptor->schema();
    } catch (const std::exception& e) {
      throw Error(fmt::format("plugin library '{}' (plugin '{}') threw in schema(): {}", file.string(),
                              manifest.name, e.what()));
    }
  }
  boost::dll::fs::error_code size_ec;
  manifest.library_size = std::filesystem::file_size(file, size_ec);
  if (descriptor_out) *descriptor_out = descriptor;
  return manifest;
}

std::vector<std::filesystem::path> PluginRegistry::default_paths() {
  std::vector<std::filesystem::path> paths;
  boost::dll::fs::error_code ec;
  const std::filesystem::path exe = boost::dll::program_location(ec);
  if (!ec) {
    for (const std::filesystem::path& dir :
         {exe.parent_path() / "plugins", exe.parent_path() / GOS_RELATIVE_PLUGIN_DIR})
      if (std::filesystem::is_directory(dir)) paths.push_back(dir.lexically_normal());
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
  // Sorted so that duplicate-name failures name the same file every time.
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    try {
      if (std::optional<PluginManifest> manifest = read_fresh_manifest(file))
        register_from_manifest(file, std::move(*manifest));
      else
        load_file(file);
    } catch (const Error& e) {
      failures_.push_back({file, e.what()});
    }
  }
}

void PluginRegistry::register_from_manifest(const std::filesystem::path& file, PluginManifest manifest) {
  if (manifest.abi_version != kPluginAbiVersion)
    throw Error(abi_mismatch(file, manifest.abi_version));
  if (manifest.build_tag != kHostBuildTag) throw Error(tag_mismatch(file, manifest.build_tag));
  add_record(PluginRecord{manifest.name, manifest.kind, manifest.version, manifest.summary, file,
                          std::move(manifest.schema), manifest.build_tag, nullptr});
}

void PluginRegistry::load_file(const std::filesystem::path& file) {
  boost::dll::shared_library library;
  const PluginDescriptor* descriptor = nullptr;
  PluginManifest manifest = inspect_plugin_library(file, library, &descriptor);
  add_record(PluginRecord{manifest.name, manifest.kind, manifest.version, manifest.summary, file,
                          std::move(manifest.schema), manifest.build_tag, descriptor});
  libraries_.push_back(std::move(library));
}

void PluginRegistry::add_record(PluginRecord record) {
  if (auto it = records_.find(record.name); it != records_.end())
    throw Error(fmt::format("plugin name '{}' is registered twice: by '{}' and by '{}'", record.name,
                            it->second.path.string(), record.path.string()));
  std::string name = record.name;
  records_.emplace(std::move(name), std::move(record));
}

void PluginRegistry::ensure_loaded(PluginRecord& record) {
  if (record.descriptor) return;
  boost::dll::shared_library library;
  const PluginDescriptor* descriptor = nullptr;
  const PluginManifest actual = inspect_plugin_library(record.path, library, &descriptor);
  if (actual.name != record.name || actual.kind != record.kind)
    throw Error(fmt::format("plugin library '{}' is plugin '{}' ({}), but its manifest says '{}' ({}); "
                            "delete '{}' or rebuild the plugin",
                            record.path.string(), actual.name, to_string(actual.kind), record.name,
                            to_string(record.kind), manifest_path(record.path).string()));
  record.descriptor = descriptor;
  libraries_.push_back(std::move(library));
}

bool PluginRegistry::is_loaded(std::string_view name) const {
  auto it = records_.find(name);
  return it != records_.end() && it->second.descriptor != nullptr;
}

const PluginRecord& PluginRegistry::find(std::string_view name, PluginKind kind, const std::string& where) const {
  auto it = records_.find(name);
  if (it != records_.end() && it->second.kind == kind) return it->second;
  const std::vector<std::string> valid = names(kind);
  std::string skipped;
  if (!failures_.empty()) {
    skipped = fmt::format("; {} plugin librar{} could not be loaded:", failures_.size(),
                          failures_.size() == 1 ? "y" : "ies");
    for (const PluginLoadFailure& failure : failures_) skipped += "\n  " + failure.message;
  }
  if (it != records_.end())
    throw Error(fmt::format("{}: plugin '{}' is a {} plugin, not a {} plugin; {} plugins: {}{}", where, name,
                            to_string(it->second.kind), to_string(kind), to_string(kind),
                            valid.empty() ? "(none loaded)" : join(valid, ", "), skipped));
  throw Error(fmt::format("{}: unknown {} plugin '{}'{}; {} plugins: {}{}", where, to_string(kind), name,
                          did_you_mean(name, valid), to_string(kind),
                          valid.empty() ? "(none loaded; check the plugin paths)" : join(valid, ", "), skipped));
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
  const std::string where = config.location.to_string() + ": [" + config.section + "]";
  PluginRecord& record = records_.find(find(config.plugin, kind, where).name)->second;
  if (!config.params) throw std::logic_error("component '" + config.section + "' created before validation");
  try {
    ensure_loaded(record);
  } catch (const Error& e) {
    throw Error(fmt::format("{} plugin '{}': {}", where, config.plugin, e.what()));
  }
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
