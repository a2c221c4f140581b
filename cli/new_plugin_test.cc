// gos new-plugin's rendering and its refusals. Building and running every
// generated project against an installed GOS is the CTest plugin_sdk_end_to_end.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/new_plugin.h"
#include "framework/error.h"

namespace gos::cli {
namespace {

namespace fs = std::filesystem;

std::string error_of(auto&& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(NewPlugin, EveryKindRendersWithoutPlaceholdersLeft) {
  for (PluginKind kind : kAllPluginKinds) {
    const auto files = render_plugin_project(kind, "my_thing");
    ASSERT_TRUE(files.count("CMakeLists.txt")) << to_string(kind);
    ASSERT_TRUE(files.count("my_thing.cc")) << to_string(kind);
    ASSERT_TRUE(files.count("my_thing_test.cc")) << to_string(kind);
    ASSERT_TRUE(files.count("README.md")) << to_string(kind);
    EXPECT_EQ(files.count("experiment.toml"), kind == PluginKind::kTrainer ? 0u : 1u) << to_string(kind);
    for (const auto& [path, content] : files) {
      EXPECT_EQ(content.find('@'), std::string::npos) << to_string(kind) << " " << path << " keeps a placeholder";
    }
    EXPECT_NE(files.at("my_thing.cc").find("GOS_PLUGIN(\"my_thing\""), std::string::npos);
    EXPECT_NE(files.at("my_thing.cc").find("class MyThing"), std::string::npos);
    EXPECT_NE(files.at("CMakeLists.txt").find("gos_add_plugin(my_thing"), std::string::npos);
  }
}

TEST(NewPlugin, OnlyTheTrainerNeedsTorch) {
  for (PluginKind kind : kAllPluginKinds) {
    const std::string cmake = render_plugin_project(kind, "p").at("CMakeLists.txt");
    EXPECT_EQ(cmake.find("gos::torch") != std::string::npos, kind == PluginKind::kTrainer) << to_string(kind);
  }
}

TEST(NewPlugin, InvalidNamesAndKindsAreRefusedWithWhatIsValid) {
  for (const char* name : {"", "MyPlugin", "1st", "a-b", "a__b", "trailing_", "has space"})
    EXPECT_NE(error_of([&] { check_plugin_name(name); }).find("invalid plugin name"), std::string::npos) << name;
  EXPECT_NO_THROW(check_plugin_name("my_strategy2"));
  const std::string kind = error_of([] { parse_plugin_kind("stratgy"); });
  EXPECT_NE(kind.find("did you mean 'strategy'"), std::string::npos) << kind;
  EXPECT_NE(kind.find("latency_model"), std::string::npos) << kind;
}

TEST(NewPlugin, AnExistingDirectoryIsNeverOverwritten) {
  const fs::path root = fs::temp_directory_path() / ("gos_new_plugin_test_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "taken");
  std::ofstream(root / "taken" / "keep.txt") << "mine";
  const auto files = render_plugin_project(PluginKind::kStrategy, "s");
  EXPECT_NE(error_of([&] { write_plugin_project(files, root / "taken"); }).find("already exists"), std::string::npos);
  EXPECT_TRUE(fs::exists(root / "taken" / "keep.txt"));
  EXPECT_FALSE(fs::exists(root / "taken" / "CMakeLists.txt"));
  EXPECT_NE(error_of([&] { write_plugin_project(files, root / "no" / "parent"); }).find("is not a directory"),
            std::string::npos);
  write_plugin_project(files, root / "fresh");
  EXPECT_TRUE(fs::exists(root / "fresh" / "s.cc"));
  EXPECT_TRUE(fs::exists(root / "fresh" / "experiment.toml"));
  for (const auto& entry : fs::directory_iterator(root))
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << "staging directory left behind";
  fs::remove_all(root);
}

}  // namespace
}  // namespace gos::cli
