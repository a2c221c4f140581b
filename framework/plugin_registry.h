#pragma once
// Finds, loads and checks plugin libraries (Boost.DLL), and creates components
// from validated configuration.
//
// A library with a fresh manifest (framework/manifest.h) is registered from
// the manifest alone and loaded the first time a component of it is created,
// so that listing or validating never maps what a plugin links (LibTorch).
// A library that cannot be used is recorded as a failure and skipped: the
// other plugins of its directory stay usable.
#include <boost/dll/shared_library.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "framework/manifest.h"
#include "framework/plugin_abi.h"

namespace gos {

struct PluginRecord {
  std::string name;
  PluginKind kind;
  std::string version;
  std::string summary;
  std::filesystem::path path;
  ParamSchema schema;
  std::string build_tag;
  // Null until the library is loaded (at registration without a manifest,
  // otherwise at the first create_component).
  const PluginDescriptor* descriptor = nullptr;
};

// A library that was skipped, and why.
struct PluginLoadFailure {
  std::filesystem::path file;
  std::string message;
};

class PluginRegistry : public PluginHost {
 public:
  // The directories searched by default: `plugins` next to the running
  // executable (the build tree), `../lib/gos/plugins` next to it (an
  // installed gos), then each entry of GOS_PLUGIN_PATH.
  static std::vector<std::filesystem::path> default_paths();

  // Registers every `libgos_*.so` in `dir`. Throws gos::Error when `dir` does
  // not exist; a library that fails to load, lacks the entry point, has
  // another ABI version or build tag, throws in schema(), or registers a name
  // already taken is recorded in failures() with its file, and skipped.
  void load_directory(const std::filesystem::path& dir);
  // Loads one library now; throws gos::Error naming the file for every
  // problem load_directory records.
  void load_file(const std::filesystem::path& file);

  // The plugin of that name and kind; otherwise an error that names the
  // closest registered plugin of the kind, lists them all, and names the
  // libraries that failed to load.
  const PluginRecord& find(std::string_view name, PluginKind kind, const std::string& where) const;
  std::vector<const PluginRecord*> plugins() const;
  std::vector<std::string> names(PluginKind kind) const;
  const std::vector<PluginLoadFailure>& failures() const { return failures_; }
  // Whether the library of `name` has been loaded into this process.
  bool is_loaded(std::string_view name) const;

  std::unique_ptr<Component> create_component(const ComponentConfig& config, PluginKind kind) override;

 private:
  void register_from_manifest(const std::filesystem::path& file, PluginManifest manifest);
  void add_record(PluginRecord record);
  // Loads the library of `record` if needed and checks that it is the plugin
  // its manifest described.
  void ensure_loaded(PluginRecord& record);

  std::map<std::string, PluginRecord, std::less<>> records_;
  std::vector<PluginLoadFailure> failures_;
  // Libraries stay loaded for the registry's lifetime: components created
  // from them must be destroyed before the registry.
  std::vector<boost::dll::shared_library> libraries_;
  std::vector<std::filesystem::path> loaded_dirs_;
};

// Loads `file` and reads its descriptor without registering it: the checks
// of load_file (entry point, ABI version, build tag, schema()). Throws
// gos::Error naming the file. `library` keeps the code mapped.
PluginManifest inspect_plugin_library(const std::filesystem::path& file, boost::dll::shared_library& library,
                                      const PluginDescriptor** descriptor_out = nullptr);

}  // namespace gos
