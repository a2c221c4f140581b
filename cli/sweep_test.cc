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

TEST(Grid, AxesParseAndMultiplyOutFirstAxisSlowest) {
  const GridAxis penalty = parse_grid_axis("strategy.penalty=0,1e-4,1e-3");
  EXPECT_EQ(penalty.key, "strategy.penalty");
  EXPECT_EQ(penalty.values, (std::vector<std::string>{"0", "1e-4", "1e-3"}));
  const GridAxis names = parse_grid_axis("search_space.model=\"resnet18\"");
  EXPECT_EQ(names.values, (std::vector<std::string>{"\"resnet18\""}));
  const auto points = grid_points({penalty, parse_grid_axis("strategy.steps=10,20")});
  ASSERT_EQ(points.size(), 6u);
  EXPECT_EQ(points[0], (std::vector<std::string>{"strategy.penalty=0", "strategy.steps=10"}));
  EXPECT_EQ(points[1], (std::vector<std::string>{"strategy.penalty=0", "strategy.steps=20"}));
  EXPECT_EQ(points[5], (std::vector<std::string>{"strategy.penalty=1e-3", "strategy.steps=20"}));
  EXPECT_EQ(grid_points({}), (std::vector<std::vector<std::string>>{{}}));
  EXPECT_EQ(grid_label(points[0]), "strategy.penalty=0_strategy.steps=10");
  EXPECT_EQ(grid_label({"search_space.model=\"a b/c\""}), "search_space.model=_a_b_c_");
}

TEST(Grid, BadAxesAreClearErrors) {
  for (const char* bad : {"strategy.penalty", "=1,2", "strategy.penalty=", "strategy.penalty=1,,2", "k=1,"}) {
    try {
      parse_grid_axis(bad);
      FAIL() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("KEY=V1,V2"), std::string::npos) << e.what();
    }
  }
}

// --grid over a strategy key: one run per value and seed, grouped by the key.
TEST(SweepCommand, GridRunsEveryValueOfAKeyAndGroupsByIt) {
  const auto dir = std::filesystem::path(GOS_BINARY_DIR) / "test-output" / "sweep_grid";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "grid.toml") << R"([experiment]
name = "grid"
[search_space]
plugin = "test_problem"
dimensions = 4
[strategy]
plugin = "random_search"
batch = 10
)" + gos::testing::kTwoFunctionObjectives + R"([indicators]
reference_point = [1.1, 10.0]
)";
  const std::string command = "cd '" + dir.string() + "' && '" GOS_BINARY_DIR
                              "/gos' sweep grid.toml --grid strategy.evaluations=20,40 --seeds 0..1 -o runs "
                              "> out.txt 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << std::ifstream(dir / "out.txt").rdbuf();
  std::vector<compare::RunCurve> runs;
  for (const char* name : {"20-seed0", "20-seed1", "40-seed0", "40-seed1"})
    runs.push_back(compare::load_run(dir / "runs" / (std::string("random_search-strategy.evaluations=") + name + ".h5"),
                                     {"strategy.evaluations"}));
  EXPECT_EQ(runs[0].strategy, "random_search strategy.evaluations=20");
  EXPECT_EQ(runs[3].strategy, "random_search strategy.evaluations=40");
  EXPECT_EQ(runs[0].evaluations.back(), 20);
  EXPECT_EQ(runs[3].evaluations.back(), 40);
  const auto summaries = compare::summarize(runs, {20});
  ASSERT_EQ(summaries.size(), 2u);
  EXPECT_EQ(summaries[1].runs, 2u);
  std::ifstream output(dir / "out.txt");
  const std::string text((std::istreambuf_iterator<char>(output)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("[4/4]"), std::string::npos) << text;
  EXPECT_NE(text.find("random_search strategy.evaluations=40"), std::string::npos) << text;
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
