#pragma once
// The plugin ABI. A plugin is a shared library exporting exactly one C entry
// point, `gos_plugin_descriptor`, that returns a PluginDescriptor (as LLVM pass
// plugins return their name and API version). The host reads `abi_version`
// first and refuses the library before touching any other field when it
// differs from kPluginAbiVersion; it then compares `build_tag` and refuses a
// plugin compiled by another compiler, standard-library ABI or set of public
// framework headers, before calling any of the plugin's functions.
//
// Bump kPluginAbiVersion whenever PluginDescriptor, Params or any interface in
// framework/ changes layout or virtual methods.
#include <cstdint>
#include <memory>

#include "framework/build_info.h"
#include "framework/component.h"
#include "framework/params.h"

#define GOS_STRINGIFY_DETAIL(x) #x
#define GOS_STRINGIFY(x) GOS_STRINGIFY_DETAIL(x)
#if defined(__clang__)
#define GOS_COMPILER_TAG "clang-" GOS_STRINGIFY(__clang_major__)
#elif defined(__GNUC__)
#define GOS_COMPILER_TAG "gcc-" GOS_STRINGIFY(__GNUC__)
#else
#define GOS_COMPILER_TAG "unknown-compiler"
#endif
#if defined(_GLIBCXX_USE_CXX11_ABI)
#define GOS_STDLIB_TAG "libstdc++-cxx11abi=" GOS_STRINGIFY(_GLIBCXX_USE_CXX11_ABI)
#elif defined(_LIBCPP_VERSION)
#define GOS_STDLIB_TAG "libc++"
#else
#define GOS_STDLIB_TAG "unknown-stdlib"
#endif
// What a plugin must share with the host to be loaded: the compiler and its
// major version, the C++ standard library and its ABI, and the interface hash
// of the framework headers it was compiled against. Expanded where the
// descriptor is compiled, so it describes the plugin's own build.
#define GOS_BUILD_TAG GOS_COMPILER_TAG ";" GOS_STDLIB_TAG ";interface=" GOS_INTERFACE_HASH

namespace gos {

inline constexpr uint32_t kPluginAbiVersion = 6;
inline constexpr const char* kPluginEntryPoint = "gos_plugin_descriptor";
// The host's own build tag, compared with every plugin's.
inline constexpr const char* kHostBuildTag = GOS_BUILD_TAG;

class PluginHost;

struct PluginDescriptor {
  uint32_t abi_version;    // must stay the first member
  const char* gos_version;  // GOS_VERSION of the headers the plugin was built against
  const char* build_tag;    // GOS_BUILD_TAG of the plugin's build
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
    static const ::gos::PluginDescriptor descriptor{::gos::kPluginAbiVersion, GOS_VERSION, GOS_BUILD_TAG, \
                                                    NAME, KIND, VERSION, SUMMARY, SCHEMA_FN, CREATE_FN}; \
    return &descriptor;                                                                         \
  }
