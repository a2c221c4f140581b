#pragma once
// A plugin's manifest: what `gos` needs to list and validate a plugin without
// loading its library (as GStreamer's registry cache does), so that a plugin
// linking LibTorch is mapped only when an experiment creates it. The build
// writes one beside every plugin (`gos plugin-manifest LIB`, called by
// gos_add_plugin); a library without a fresh manifest is simply loaded.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "framework/params.h"

namespace gos {

struct PluginManifest {
  uint32_t abi_version = 0;
  std::string gos_version;
  std::string build_tag;
  std::string name;
  PluginKind kind = PluginKind::kSearchSpace;
  std::string version;
  std::string summary;
  ParamSchema schema;
  uintmax_t library_size = 0;  // of the library it describes: a rebuilt library makes it stale
};

// `library` + ".manifest".
std::filesystem::path manifest_path(const std::filesystem::path& library);

// TOML text of a manifest, and back. parse_manifest throws gos::Error naming
// `source` and the key that is missing or malformed.
std::string format_manifest(const PluginManifest& manifest);
PluginManifest parse_manifest(std::string_view text, const std::string& source);

// Writes the manifest of `library` beside it, atomically (temporary file + rename).
void write_manifest(const PluginManifest& manifest, const std::filesystem::path& library);

// The manifest of `library` when it exists, parses, records the library's
// current size and is not older than the library; nullopt otherwise (the
// caller then loads the library itself).
std::optional<PluginManifest> read_fresh_manifest(const std::filesystem::path& library);

}  // namespace gos
