// Plugin manifests: a schema survives the round trip through TOML exactly,
// and a manifest that is stale, damaged or absent is never trusted.
#include "framework/manifest.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <limits>
#include <thread>

namespace gos {
namespace {

namespace fs = std::filesystem;

PluginManifest example() {
  PluginManifest m;
  m.abi_version = 4;
  m.gos_version = "0.2.0";
  m.build_tag = "gcc-12;libstdc++-cxx11abi=1;interface=0123456789abcdef";
  m.name = "example";
  m.kind = PluginKind::kLatencyModel;
  m.version = "1.2.3";
  m.summary = "an \"example\" with quotes and unicode: µs";
  m.library_size = 123456;
  m.schema.boolean("flag", true, "a flag")
      .integer("count", 7, 1, std::numeric_limits<int64_t>::max(), "a count")
      .real("rate", 0.05, 0, std::numeric_limits<double>::infinity(), "a rate")
      .string("mode", "fast", "a mode", {"fast", "slow"})
      .integers("sizes", std::vector<int64_t>{1, 3, 5}, 1, 15, "sizes")
      .reals("weights", std::vector<double>{}, -1, 1, "weights")
      .strings("names", std::vector<std::string>{"a", "b"}, "names", {"a", "b", "c"})
      .component("device", PluginKind::kDevice, "cpu", "the device")
      .component("model", PluginKind::kLatencyModel, "", "a required nested model")
      .string("file", std::nullopt, "a required file")
      .real("threshold", std::nullopt, 0, 1, "an optional threshold")
      .optional();
  return m;
}

TEST(Manifest, SchemaRoundTripsExactly) {
  const PluginManifest original = example();
  const PluginManifest back = parse_manifest(format_manifest(original), "test.manifest");
  EXPECT_EQ(back.abi_version, original.abi_version);
  EXPECT_EQ(back.gos_version, original.gos_version);
  EXPECT_EQ(back.build_tag, original.build_tag);
  EXPECT_EQ(back.name, original.name);
  EXPECT_EQ(back.kind, original.kind);
  EXPECT_EQ(back.version, original.version);
  EXPECT_EQ(back.summary, original.summary);
  EXPECT_EQ(back.library_size, original.library_size);
  ASSERT_EQ(back.schema.specs().size(), original.schema.specs().size());
  for (size_t i = 0; i < original.schema.specs().size(); ++i) {
    const ParamSpec& a = original.schema.specs()[i];
    const ParamSpec& b = back.schema.specs()[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.type, b.type) << a.name;
    EXPECT_EQ(a.help, b.help) << a.name;
    EXPECT_EQ(a.min, b.min) << a.name;
    EXPECT_EQ(a.max, b.max) << a.name;
    EXPECT_EQ(a.choices, b.choices) << a.name;
    EXPECT_EQ(a.optional, b.optional) << a.name;
    EXPECT_EQ(a.describe_type(), b.describe_type()) << a.name;
    ASSERT_EQ(a.default_value.has_value(), b.default_value.has_value()) << a.name;
    if (a.default_value) {
      EXPECT_EQ(format_value(*a.default_value), format_value(*b.default_value)) << a.name;
    }
    if (a.type == ParamType::kComponent) {
      EXPECT_EQ(a.component_kind, b.component_kind) << a.name;
    }
  }
}

TEST(Manifest, MalformedManifestsNameTheFileAndKey) {
  std::string broken_kind = format_manifest(example());
  // Keys are written in order, so the first "latency_model" is the kind.
  broken_kind.replace(broken_kind.find("latency_model"), 13, "gadget");
  try {
    parse_manifest(broken_kind, "broken.manifest");
    FAIL() << "an unknown kind was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("broken.manifest"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'kind'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_manifest("name = [", "syntax.manifest"), Error);
  EXPECT_THROW(parse_manifest("format = 1\n", "empty.manifest"), Error);
}

TEST(Manifest, OnlyAFreshManifestOfTheSameLibraryIsRead) {
  const fs::path dir = fs::temp_directory_path() / ("gos_manifest_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path library = dir / "libgos_example.so";
  std::ofstream(library) << "twelve bytes";
  EXPECT_FALSE(read_fresh_manifest(library)) << "no manifest yet";

  PluginManifest manifest = example();
  manifest.library_size = fs::file_size(library);
  write_manifest(manifest, library);
  ASSERT_TRUE(read_fresh_manifest(library));
  EXPECT_EQ(read_fresh_manifest(library)->name, "example");

  // A rebuilt library of another size makes the manifest stale.
  std::ofstream(library) << "a longer library now";
  fs::last_write_time(manifest_path(library), fs::last_write_time(library) + std::chrono::seconds(1));
  EXPECT_FALSE(read_fresh_manifest(library));

  // So does a library newer than its manifest, even of the same size.
  manifest.library_size = fs::file_size(library);
  write_manifest(manifest, library);
  fs::last_write_time(library, fs::last_write_time(manifest_path(library)) + std::chrono::seconds(1));
  EXPECT_FALSE(read_fresh_manifest(library));

  // A damaged manifest is ignored (the library is then loaded instead).
  std::ofstream(manifest_path(library)) << "this is [not toml";
  fs::last_write_time(manifest_path(library), fs::last_write_time(library) + std::chrono::seconds(1));
  EXPECT_FALSE(read_fresh_manifest(library));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace gos
