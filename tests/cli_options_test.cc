// One spelling per option across commands, usage errors in GOS's words, and
// commands that end with their results (issue 22, items 7-9).
#include <gmock/gmock.h>

#include "tests/cli_support.h"
#include "tests/test_support.h"

namespace gos {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::gos;
using testing::kGos;
using testing::Outcome;
using testing::shell;
using testing::write_file;

TEST(CliOptions, HelpNamesVersionExitCodesAndHelpCommand) {
  const Outcome help = gos("--help");
  EXPECT_THAT(help.output, HasSubstr("'gos --version' prints the version"));
  EXPECT_THAT(help.output, HasSubstr("Exit codes: 0 success, 1 an error"));
  const Outcome via_help = gos("help run"), direct = gos("run --help");
  EXPECT_EQ(via_help.exit_code, 0);
  EXPECT_EQ(via_help.output, direct.output);
  EXPECT_THAT(via_help.output, HasSubstr("Usage: gos run FILE"));
}

TEST(CliOptions, UsageErrorsAreInGosWords) {
  const auto dir = testing::scratch_dir("cli_usage");
  const auto file = write_file(dir / "exp.toml", testing::zdt_experiment(dir / "run.h5"));
  const Outcome typo = gos("run " + file.string() + " --overwirte");
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_THAT(typo.output, HasSubstr("gos run: unknown option '--overwirte'; did you mean '--overwrite'?"));
  EXPECT_THAT(typo.output, HasSubstr("options: --set, --plugin-path, --output"));
  EXPECT_THAT(typo.output, Not(HasSubstr("unrecognised")));  // Boost's own wording
  const Outcome value = gos("sweep " + file.string() + " --seeds");
  EXPECT_EQ(value.exit_code, 2);
  EXPECT_THAT(value.output, HasSubstr("option '--seeds' needs a value"));
}

// `gos run` ends with the indicators it recorded.
TEST(CliOptions, RunEndsWithItsIndicators) {
  const auto dir = testing::scratch_dir("cli_indicators");
  const auto file = write_file(dir / "exp.toml", testing::zdt_experiment(dir / "run.h5", "", "[indicators]\nreference_point = [1.1, 10.0]\nigd = true\n"));
  const Outcome run = gos("run -q " + file.string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, ::testing::ContainsRegex("Pareto front of [0-9]+; hypervolume [0-9.]+, igd [0-9.]+"));
  const Outcome again = gos("run -q " + file.string() + " --resume");
  EXPECT_THAT(again.output, ::testing::ContainsRegex("already completed \\(60 evaluations; hypervolume [0-9.]+"));
}

// `gos report` on a file that is not an adapt run says what the file is.
TEST(CliOptions, ReportOnASearchRunSaysWhatItIs) {
  const auto dir = testing::scratch_dir("cli_report_kind");
  const auto file = write_file(dir / "exp.toml", testing::zdt_experiment(dir / "run.h5"));
  ASSERT_EQ(gos("run -q " + file.string()).exit_code, 0);
  const Outcome report = gos("report " + (dir / "run.h5").string());
  EXPECT_EQ(report.exit_code, 1);
  EXPECT_THAT(report.output, HasSubstr("is a `gos run` results file (experiment 'zdt', 60 evaluations)"));
  EXPECT_THAT(gos("report " + file.string()).output, HasSubstr("is an experiment file, not a run"));
}

// Progress goes to stderr one line per generation when it is not a terminal
// (no '\r' frames in logs); stdout gets each finished run as it ends.
TEST(CliOptions, SweepPrintsProgressLinesAndQuietSilencesThem) {
  const auto dir = testing::scratch_dir("cli_sweep_progress");
  const auto file = write_file(dir / "exp.toml", testing::zdt_experiment(dir / "unused.h5") + "[sweep]\nseeds = \"0..1\"\n");
  const std::string out = (dir / "runs").string();
  const Outcome loud = shell("(" + kGos + " sweep " + file.string() + " -o " + out + " 2> " + (dir / "log").string() + ")");
  ASSERT_EQ(loud.exit_code, 0) << loud.output;
  EXPECT_THAT(loud.output, HasSubstr("[1/2] "));
  EXPECT_THAT(loud.output, HasSubstr("[2/2] "));
  const std::string log = testing::read_file(dir / "log");
  EXPECT_THAT(log, HasSubstr("[zdt] generation    5  evaluations      60"));
  EXPECT_EQ(log.find('\r'), std::string::npos);
  const Outcome quiet = gos("sweep -q --overwrite " + file.string() + " -o " + out);
  ASSERT_EQ(quiet.exit_code, 0) << quiet.output;
  EXPECT_THAT(quiet.output, Not(HasSubstr("generation")));
}

// Subcommand groups list their subcommands; `gos plugins NAME` shows one.
TEST(CliOptions, HelpDescribesSubcommandsAndOnePlugin) {
  const Outcome one = gos("plugins random_search");
  EXPECT_EQ(one.exit_code, 0) << one.output;
  EXPECT_THAT(one.output, HasSubstr("random_search (strategy plugin"));
  EXPECT_THAT(one.output, Not(HasSubstr("nsga2 (")));
  const Outcome typo = gos("plugins random_serch");
  EXPECT_EQ(typo.exit_code, 1);
  EXPECT_THAT(typo.output, HasSubstr("did you mean 'random_search'?"));
  const std::string help = gos("--help").output;
  if (help.find("Not in this build") != std::string::npos || help.find("\n  lut ") == std::string::npos)
    GTEST_SKIP() << "no latency commands in this build";
  EXPECT_THAT(gos("lut --help").output, HasSubstr("  build      profile the kernels"));
  EXPECT_THAT(gos("latency --help").output, HasSubstr("  repeat     measure one model repeatedly"));
}

// Files holding results are never replaced without --overwrite.
TEST(CliOptions, ConvertRefusesToReplaceATable) {
  const auto dir = testing::scratch_dir("cli_overwrite");
  const auto existing = write_file(dir / "table.h5", "precious");
  const Outcome out = gos("nb201 convert --data " + dir.string() + " -o " + existing.string());
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_THAT(out.output, HasSubstr("table.h5' already exists; pass --overwrite to replace it"));
  EXPECT_EQ(testing::read_file(existing), "precious");
}

}  // namespace
}  // namespace gos
