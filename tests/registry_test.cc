// Plugin loading: every way a plugin library can be wrong is a clear error
// naming the file.
#include <fmt/format.h>
#include <gmock/gmock.h>

#include "framework/experiment.h"
#include "tests/test_support.h"

namespace gos {
namespace {

using ::testing::HasSubstr;

std::string load_error(const std::string& dir) {
  PluginRegistry registry;
  testing::load_build_plugins(registry);
  try {
    registry.load_directory(dir);
    return "";
  } catch (const Error& e) {
    return e.what();
  }
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
