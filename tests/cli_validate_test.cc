// `gos validate` as a new user meets it: what it prints where, which files it
// accepts, and that it catches what `gos run` and `gos sweep` would reject.
#include <gmock/gmock.h>

#include <filesystem>

#include "tests/cli_support.h"
#include "tests/test_support.h"

namespace gos {
namespace {

using testing::gos;
using ::testing::HasSubstr;
using testing::kGos;
using ::testing::Not;
using testing::Outcome;
using testing::shell;
using testing::write_file;

bool has_plugin(const std::string& name) { return gos("plugins").output.find("\n" + name + " (") != std::string::npos; }

// The status line goes to stderr, so `--print > file` is a runnable file.
TEST(CliValidate, PrintWritesARunnableFile) {
  const auto dir = testing::scratch_dir("cli_validate_print");
  const auto file = write_file(dir / "exp.toml", testing::zdt_experiment(dir / "run.h5"));
  const auto resolved = dir / "resolved.toml";
  const Outcome printed = shell("(" + kGos + " validate " + file.string() + " --print > " + resolved.string() + ")");
  ASSERT_EQ(printed.exit_code, 0) << printed.output;
  EXPECT_THAT(printed.output, HasSubstr("exp.toml: ok (experiment 'zdt'"));
  const std::string text = testing::read_file(resolved);
  EXPECT_THAT(text, Not(HasSubstr(": ok (")));
  EXPECT_THAT(text, HasSubstr("[search_space]"));
  const Outcome run = gos("run -q " + resolved.string());
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("60 evaluations"));
}

// `gos validate` on a `gos adapt` file checks it as `gos adapt --dry-run`
// does; `gos run` names what kind of file it is.
TEST(CliValidate, AdaptFilesAreRecognised) {
  const std::string file = std::string(GOS_SOURCE_DIR) + "/experiments/adapt/quick.toml";
  const Outcome validate = gos("validate " + file);
  // quick.toml reads ../shared/data's CIFAR-10; without it (a clone elsewhere)
  // validation must fail naming the missing file.
  const bool has_data =
      std::filesystem::exists(std::string(GOS_SOURCE_DIR) + "/../shared/data/cifar10/data_batch_1.bin");
  if (gos("adapt --help").exit_code == 0 && !has_data) {
    EXPECT_EQ(validate.exit_code, 1) << validate.output;
    EXPECT_THAT(validate.output, HasSubstr("quick.toml: [adapt] train_files (in data_dir): '"));
    EXPECT_THAT(validate.output, HasSubstr("data_batch_1.bin' does not exist"));
  } else if (gos("adapt --help").exit_code == 0) {
    EXPECT_EQ(validate.exit_code, 0) << validate.output;
    EXPECT_THAT(validate.output, HasSubstr("quick.toml: ok (adapt resnet18"));
    // `gos adapt --dry-run` checks without running (it used to run: its switch shared a bool with --validate).
    const Outcome dry_run = shell("timeout 120 " + kGos + " adapt " + file + " --dry-run");
    EXPECT_EQ(dry_run.exit_code, 0) << dry_run.output;
    EXPECT_THAT(dry_run.output, HasSubstr("quick.toml: ok (adapt resnet18"));
    EXPECT_THAT(dry_run.output, Not(HasSubstr("baseline: training")));
  } else {
    EXPECT_NE(validate.exit_code, 0) << validate.output;
    EXPECT_THAT(validate.output, HasSubstr("needs LibTorch"));
  }
  const Outcome run = gos("run " + file);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("quick.toml:5:2: this is a `gos adapt` file"));
}

// validate checks the [sweep] table and every strategy of it (only `gos
// sweep` rejected `[sweep] strategy = 5`).
TEST(CliValidate, TheSweepTableIsChecked) {
  const auto dir = testing::scratch_dir("cli_validate_sweep");
  const std::string base = testing::zdt_experiment(dir / "run.h5");
  const auto typo = write_file(dir / "typo.toml", base + "[sweep]\nstrategy = 5\n");
  const Outcome unknown = gos("validate " + typo.string());
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.output,
              HasSubstr("typo.toml:26:1: [sweep] unknown key 'strategy'; valid keys: seeds, output, strategies"));
  const auto seeds = write_file(dir / "seeds.toml", base + "[sweep]\nseeds = \"3..1\"\n");
  EXPECT_THAT(gos("validate " + seeds.string()).output, HasSubstr("seeds.toml:26:9: [sweep] seeds '3..1'"));
  const auto bad_strategy =
      write_file(dir / "strategy.toml", base +
                                            "[sweep]\nseeds = \"0..2\"\n[[sweep.strategies]]\nplugin = \"nsga2\"\n"
                                            "[[sweep.strategies]]\nplugin = \"random_search\"\nevaluatons = 10\n");
  const Outcome strategy = gos("validate " + bad_strategy.string());
  EXPECT_EQ(strategy.exit_code, 1);
  EXPECT_THAT(strategy.output, HasSubstr("strategy.toml:29: [[sweep.strategies]] 'random_search'"));
  EXPECT_THAT(strategy.output, HasSubstr("unknown key 'evaluatons'; did you mean 'evaluations'?"));
  const Outcome shipped = gos(std::string("validate ") + GOS_SOURCE_DIR + "/experiments/zdt1_strategies.toml");
  EXPECT_EQ(shipped.exit_code, 0) << shipped.output;
  EXPECT_THAT(shipped.output, HasSubstr("sweep of 4 strategies x 10 seeds"));
}

// What run would reject about [indicators], validate rejects first, located.
TEST(CliValidate, IgdOnASpaceWithoutAKnownFront) {
  if (!has_plugin("gos_graph")) GTEST_SKIP() << "the gos_graph plugin (a LibTorch build) is not built";
  const Outcome out = gos(std::string("validate ") + GOS_SOURCE_DIR +
                          "/experiments/gos_conv_replacement.toml --set indicators.igd=true");
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_THAT(out.output, HasSubstr("command line --set: [indicators] igd = true, but search space 'gos_graph' has no "
                                    "known Pareto front"));
}

// Non-ASCII text where toml++ 3.3 would reach undefined behaviour is a clear
// error; the binary exits 1, not by a signal.
TEST(CliValidate, NonAsciiTableHeaderIsAClearError) {
  const auto dir = testing::scratch_dir("cli_validate_unicode");
  const auto file = write_file(dir / "exp.toml", "[experime\u00b7nt]\nname = \"x\"\n");
  const Outcome out = gos("validate " + file.string());
  EXPECT_EQ(out.exit_code, 1) << out.output;
  EXPECT_THAT(out.output, HasSubstr("exp.toml:1:10: non-ASCII character U+00B7"));
}

}  // namespace
}  // namespace gos
