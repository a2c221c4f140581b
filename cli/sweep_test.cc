#include "cli/sweep.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/compare.h"
#include "framework/error.h"
#include "tests/test_support.h"

namespace gos::sweep {
namespace {

TEST(Seeds, RangesAndLists) {
  EXPECT_EQ(parse_seeds("0..3"), (std::vector<uint64_t>{0, 1, 2, 3}));
  EXPECT_EQ(parse_seeds("5..5"), (std::vector<uint64_t>{5}));
  EXPECT_EQ(parse_seeds("7"), (std::vector<uint64_t>{7}));
  EXPECT_EQ(parse_seeds("1,4,7"), (std::vector<uint64_t>{1, 4, 7}));
}

TEST(Seeds, BadTextIsAClearError) {
  for (const char* bad : {"", "3..1", "a..3", "1,,2", "-1", "0..", "1.5", "0..999999"}) {
    EXPECT_THROW(parse_seeds(bad), Error) << bad;
  }
  try {
    parse_seeds("0..x");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'x' is not a non-negative integer"), std::string::npos) << e.what();
  }
}

// The gos binary end to end: two strategies x two seeds into one folder, then
// the runs are comparable by strategy.
TEST(SweepCommand, RunsEveryStrategyAndSeedIntoOneFolder) {
  const auto dir = std::filesystem::path(GOS_BINARY_DIR) / "test-output" / "sweep";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto file = dir / "sweep.toml";
  std::ofstream(file) << R"([experiment]
name = "sweep"
[search_space]
plugin = "test_problem"
dimensions = 4
[strategy]
plugin = "random_search"
)" + gos::testing::kTwoFunctionObjectives + R"([indicators]
reference_point = [1.1, 10.0]
[sweep]
seeds = "0..1"
output = "runs"
[[sweep.strategies]]
plugin = "nsga2"
population = 10
generations = 3
[[sweep.strategies]]
plugin = "random_search"
evaluations = 30
batch = 10
)";
  const std::string command = "cd '" + dir.string() + "' && '" GOS_BINARY_DIR "/gos' sweep sweep.toml > out.txt 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << std::ifstream(dir / "out.txt").rdbuf();
  std::vector<compare::RunCurve> runs;
  for (const char* name : {"nsga2-seed0.h5", "nsga2-seed1.h5", "random_search-seed0.h5", "random_search-seed1.h5"})
    runs.push_back(compare::load_run(dir / "runs" / name));
  EXPECT_EQ(runs[1].strategy, "nsga2");
  EXPECT_EQ(runs[1].seed, 1u);
  EXPECT_EQ(runs[3].strategy, "random_search");
  EXPECT_EQ(runs[0].evaluations.back(), 30);
  EXPECT_NE(runs[0].hypervolume, runs[1].hypervolume);  // different seeds, different runs
  const auto summaries = compare::summarize(runs, {30});
  ASSERT_EQ(summaries.size(), 2u);
  EXPECT_EQ(summaries[0].runs, 2u);
  // A second sweep resumes: completed runs are left as they are.
  ASSERT_EQ(std::system(command.c_str()), 0);
  std::ifstream output(dir / "out.txt");
  const std::string text((std::istreambuf_iterator<char>(output)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("(already complete)"), std::string::npos) << text;
  EXPECT_NE(text.find("random_search"), std::string::npos) << text;
}

TEST(SweepCommand, AnErrorInAStrategyTableNamesItsLineInTheFile) {
  const auto dir = std::filesystem::path(GOS_BINARY_DIR) / "test-output" / "sweep_error";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "sweep.toml") << R"([experiment]
name = "sweep"
[search_space]
plugin = "test_problem"
[strategy]
plugin = "random_search"
[[objectives]]
plugin = "metric"
metric = "function"
on = "f1"
[[sweep.strategies]]
plugin = "nsga2"
population = 1
)";
  const std::string command =
      "cd '" + dir.string() + "' && '" GOS_BINARY_DIR "/gos' sweep sweep.toml --seeds 0 > out.txt 2>&1";
  EXPECT_NE(std::system(command.c_str()), 0);
  std::ifstream output(dir / "out.txt");
  const std::string text((std::istreambuf_iterator<char>(output)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("sweep.toml:11: [[sweep.strategies]] 'nsga2' (seed 0)"), std::string::npos) << text;
  EXPECT_NE(text.find("population"), std::string::npos) << text;
}

}  // namespace
}  // namespace gos::sweep
