// Plugin loading: every way a plugin library can be wrong is a clear error
// naming the file, and one bad library never takes the others down.
#include <fmt/format.h>
#include <gmock/gmock.h>

#include "framework/experiment.h"
#include "framework/manifest.h"

#include <fstream>
#include "tests/test_support.h"

namespace gos {
namespace {

using ::testing::HasSubstr;

// What loading `dir` after the build's plugins reports: the error for a
// missing directory, else the skipped libraries' messages.
std::string load_error(const std::string& dir) {
  PluginRegistry registry;
  testing::load_build_plugins(registry);
  try {
    registry.load_directory(dir);
  } catch (const Error& e) {
    return e.what();
  }
  std::string messages;
  for (const PluginLoadFailure& failure : registry.failures()) messages += failure.message + "\n";
  return messages;
}

TEST(Registry, LoadsTheBuiltPluginsWithKindsAndSchemas) {
  PluginRegistry registry;
  testing::load_build_plugins(registry);
  const PluginRecord& record = registry.find("random_search", PluginKind::kStrategy, "test");
  EXPECT_EQ(record.version, "1.0.0");
  EXPECT_NE(record.schema.find("evaluations"), nullptr);
  EXPECT_EQ(record.path.filename(), "libgos_random_search.so");
  EXPECT_THAT(registry.names(PluginKind::kSearchSpace), ::testing::Contains("test_problem"));
}

TEST(Registry, AbiMismatchNamesFileAndBothVersions) {
  const std::string error = load_error(testing::test_plugin_dir("bad_abi"));
  EXPECT_THAT(error, HasSubstr("libgos_test_bad_abi.so"));
  EXPECT_THAT(error, HasSubstr(fmt::format("plugin ABI version {}, but this gos uses version {}",
                                           kPluginAbiVersion + 1, kPluginAbiVersion)));
}

TEST(Registry, MissingEntryPointNamesFile) {
  const std::string error = load_error(testing::test_plugin_dir("no_entry"));
  EXPECT_THAT(error, HasSubstr("libgos_test_no_entry.so"));
  EXPECT_THAT(error, HasSubstr("has no entry point 'gos_plugin_descriptor'"));
}

TEST(Registry, DuplicateNameNamesBothFiles) {
  const std::string error = load_error(testing::test_plugin_dir("duplicate"));
  EXPECT_THAT(error, HasSubstr("plugin name 'random_search' is registered twice"));
  EXPECT_THAT(error, HasSubstr("libgos_random_search.so"));
  EXPECT_THAT(error, HasSubstr("libgos_test_duplicate.so"));
}

TEST(Registry, LibraryThatFailsToLoadNamesFile) {
  const std::string error = load_error(testing::test_plugin_dir("corrupt"));
  EXPECT_THAT(error, HasSubstr("libgos_corrupt.so' failed to load"));
}

TEST(Registry, AnotherBuildTagIsRefusedNamingBothTagsBeforeAnyPluginCodeRuns) {
  // The test plugin's schema() aborts the process: refusing it must not call it.
  const std::string error = load_error(testing::test_plugin_dir("bad_tag"));
  EXPECT_THAT(error, HasSubstr("libgos_test_bad_tag.so"));
  EXPECT_THAT(error, HasSubstr("built with tag 'gcc-1;libstdc++-cxx11abi=0;interface=0000000000000000'"));
  EXPECT_THAT(error, HasSubstr(std::string("but this gos has tag '") + kHostBuildTag + "'"));
}

TEST(Registry, AThrowingSchemaIsReportedWithItsFile) {
  const std::string error = load_error(testing::test_plugin_dir("throwing_schema"));
  EXPECT_THAT(error, HasSubstr("libgos_test_throwing_schema.so"));
  EXPECT_THAT(error, HasSubstr("threw in schema(): this schema always throws"));
}

TEST(Registry, ABrokenLibraryLeavesTheOthersOfItsDirectoryUsable) {
  PluginRegistry registry;
  testing::load_build_plugins(registry);
  registry.load_directory(testing::test_plugin_dir("mixed"));
  ASSERT_EQ(registry.failures().size(), 1u);
  EXPECT_THAT(registry.failures()[0].message, HasSubstr("libgos_broken.so' failed to load"));
  EXPECT_EQ(registry.find("probe", PluginKind::kObjective, "test").path.filename(), "libgos_test_mixed_probe.so");
  // An unknown name then also says which libraries were skipped.
  try {
    registry.find("brokn", PluginKind::kObjective, "exp.toml:3:1");
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("1 plugin library could not be loaded"));
    EXPECT_THAT(e.what(), HasSubstr("libgos_broken.so"));
  }
}

TEST(Registry, PluginsWithManifestsAreListedWithoutLoadingThem) {
  PluginRegistry registry;
  testing::load_build_plugins(registry);
  // The build writes a manifest beside every shipped plugin.
  const PluginRecord& record = registry.find("nsga2", PluginKind::kStrategy, "test");
  EXPECT_TRUE(std::filesystem::exists(manifest_path(record.path)));
  EXPECT_FALSE(registry.is_loaded("nsga2"));
  EXPECT_EQ(record.build_tag, kHostBuildTag);
  EXPECT_NE(record.schema.find("population"), nullptr);
  // Creating a component loads the library.
  std::string text = testing::zdt_experiment("x.h5", "", "");
  const std::string random = "plugin = \"random_search\"\nevaluations = 60\nbatch = 10\n";
  ASSERT_NE(text.find(random), std::string::npos);
  text.replace(text.find(random), random.size(), "plugin = \"nsga2\"\npopulation = 4\ngenerations = 1\n");
  ExperimentConfig config = parse_experiment(text, "exp.toml", ".", {}, registry);
  EXPECT_FALSE(registry.is_loaded("nsga2")) << "validation alone must not load a plugin";
  Experiment experiment = build_experiment(std::move(config), registry);
  EXPECT_TRUE(registry.is_loaded("nsga2"));
}

TEST(Registry, AManifestThatLiesAboutItsLibraryIsAnErrorNotACrash) {
  const auto dir = testing::scratch_dir("lying_manifest");
  const auto library = dir / "libgos_liar.so";
  std::filesystem::copy_file(std::string(GOS_PLUGIN_DIR) + "/libgos_random_search.so", library);
  PluginManifest manifest = parse_manifest(
      [&] {
        std::ifstream in(std::string(GOS_PLUGIN_DIR) + "/libgos_nsga2.so.manifest");
        return std::string(std::istreambuf_iterator<char>(in), {});
      }(),
      "nsga2.manifest");
  manifest.library_size = std::filesystem::file_size(library);
  write_manifest(manifest, library);
  PluginRegistry registry;
  registry.load_directory(dir);
  ASSERT_TRUE(registry.failures().empty());
  // Listed as nsga2 from the manifest; creating it finds random_search inside.
  ParamSchema schema = registry.find("nsga2", PluginKind::kStrategy, "test").schema;
  auto params = std::make_shared<Params>("strategy", SourceLocation{"t", 1, 1});
  for (const ParamSpec& spec : schema.specs())
    if (spec.default_value) params->set(spec.name, *spec.default_value, {"t", 1, 1});
  try {
    registry.create_component({"nsga2", "strategy", {"t", 1, 1}, params}, PluginKind::kStrategy);
    FAIL() << "a library that is not the plugin its manifest names was used";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("is plugin 'random_search' (strategy), but its manifest says 'nsga2'"));
  }
}

TEST(Registry, MissingDirectory) {
  EXPECT_THAT(load_error("/no/such/plugin/dir"), HasSubstr("plugin directory '/no/such/plugin/dir' does not exist"));
}

TEST(Registry, FactoryThatThrowsIsReportedWithPluginAndSection) {
  PluginRegistry registry;
  testing::load_build_plugins(registry);
  registry.load_directory(testing::test_plugin_dir("throwing"));
  const std::string text = testing::zdt_experiment("x.h5", "", "\n[[objectives]]\nplugin = \"throwing\"\n");
  ExperimentConfig config = parse_experiment(text, "exp.toml", ".", {}, registry);
  try {
    build_experiment(std::move(config), registry);
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("[objectives[2]] plugin 'throwing'"));
    EXPECT_THAT(e.what(), HasSubstr("failed to start"));
    EXPECT_THAT(e.what(), HasSubstr("this plugin always refuses to start"));
  }
}

TEST(Registry, PluginPathsFromTheExperimentAreLoaded) {
  PluginRegistry registry;
  testing::load_build_plugins(registry);
  const std::string text = testing::zdt_experiment(
      "x.h5", "", "[plugins]\npaths = [\"" + testing::test_plugin_dir("probe") + "\"]\n\n[[objectives]]\nplugin = \"probe\"\n");
  ExperimentConfig config = parse_experiment(text, "exp.toml", ".", {}, registry);
  Experiment experiment = build_experiment(std::move(config), registry);
  EXPECT_EQ(experiment.roles[2].name, "probe_f1");
}

}  // namespace
}  // namespace gos
