#pragma once
// Finds, loads and checks plugin libraries (Boost.DLL), and creates components
// from validated configuration.
#include <boost/dll/shared_library.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "framework/plugin_abi.h"

namespace gos {

struct PluginRecord {
  std::string name;
  PluginKind kind;
  std::string version;
  std::string summary;
  std::filesystem::path path;
  ParamSchema schema;
  const PluginDescriptor* descriptor = nullptr;
};

class PluginRegistry : public PluginHost {
 public:
  // The directories searched by default: the `plugins` directory next to the
  // running executable (the build tree), then each entry of GOS_PLUGIN_PATH.
  static std::vector<std::filesystem::path> default_paths();

  // Loads every `libgos_*.so` in `dir`. Throws gos::Error naming the
  // directory when it does not exist, and naming the file for a library that
  // fails to load, lacks the entry point, has another ABI version, or
  // registers a name already taken.
  void load_directory(const std::filesystem::path& dir);
  void load_file(const std::filesystem::path& file);

  // The plugin of that name and kind; otherwise an error that names the
  // closest registered plugin of the kind and lists them all.
  const PluginRecord& find(std::string_view name, PluginKind kind, const std::string& where) const;
  std::vector<const PluginRecord*> plugins() const;
  std::vector<std::string> names(PluginKind kind) const;

  std::unique_ptr<Component> create_component(const ComponentConfig& config, PluginKind kind) override;

 private:
  std::map<std::string, PluginRecord, std::less<>> records_;
  // Libraries stay loaded for the registry's lifetime: components created
  // from them must be destroyed before the registry.
  std::vector<boost::dll::shared_library> libraries_;
  std::vector<std::filesystem::path> loaded_dirs_;
};

}  // namespace gos
