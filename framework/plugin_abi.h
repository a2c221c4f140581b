#pragma once
// The plugin ABI. A plugin is a shared library exporting exactly one C entry
// point, `gos_plugin_descriptor`, that returns a PluginDescriptor (as LLVM pass
// plugins return their name and API version). The host reads `abi_version`
// first and refuses the library before touching any other field when it
// differs from kPluginAbiVersion.
//
// Bump kPluginAbiVersion whenever PluginDescriptor, Params or any interface in
// framework/ changes layout or virtual methods.
#include <cstdint>
#include <memory>

#include "framework/component.h"
#include "framework/params.h"

namespace gos {

inline constexpr uint32_t kPluginAbiVersion = 4;
inline constexpr const char* kPluginEntryPoint = "gos_plugin_descriptor";

class PluginHost;

struct PluginDescriptor {
  uint32_t abi_version;  // must stay the first member
  const char* name;      // unique across all loaded plugins, [a-z0-9_]+
  PluginKind kind;
  const char* version;   // the plugin's own version
  const char* summary;   // one line for `gos plugins`
  ParamSchema (*schema)();
  // Builds the component from validated parameters. `host` creates nested
  // components (e.g. the device of a latency model). Throws gos::Error for
  // parameter combinations the schema cannot express.
  std::unique_ptr<Component> (*create)(const Params& params, PluginHost& host);
};

// What a plugin may ask of the host while it is being created.
class PluginHost {
 public:
  virtual ~PluginHost();
  virtual std::unique_ptr<Component> create_component(const ComponentConfig& config, PluginKind kind) = 0;

  template <typename T>
  std::unique_ptr<T> create(const ComponentConfig& config, PluginKind kind) {
    std::unique_ptr<Component> component = create_component(config, kind);
    T* typed = dynamic_cast<T*>(component.get());
    if (!typed) throw Error("plugin '" + config.plugin + "' does not implement the expected interface");
    component.release();
    return std::unique_ptr<T>(typed);
  }
};

using PluginEntryPoint = const PluginDescriptor*();

}  // namespace gos

// Defines the entry point of a plugin library. Use once per plugin:
//   GOS_PLUGIN("random_search", gos::PluginKind::kStrategy, "1.0.0",
//              "Uniform random sampling", &Schema, &Create)
#define GOS_PLUGIN(NAME, KIND, VERSION, SUMMARY, SCHEMA_FN, CREATE_FN)                          \
  extern "C" __attribute__((visibility("default"))) const ::gos::PluginDescriptor*              \
  gos_plugin_descriptor() {                                                                     \
    static const ::gos::PluginDescriptor descriptor{::gos::kPluginAbiVersion, NAME, KIND, VERSION, \
                                                    SUMMARY, SCHEMA_FN, CREATE_FN};            \
    return &descriptor;                                                                         \
  }
