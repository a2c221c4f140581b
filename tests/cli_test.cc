// The `gos` binary as a user meets it: exit codes, messages, a run killed
// with SIGKILL and resumed, and results read back by Debian's Python + h5py.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "framework/plugin_abi.h"
#include "framework/results.h"
#include "tests/test_support.h"

namespace gos {
namespace {

using ::testing::HasSubstr;

const std::string kGos = std::string(GOS_BINARY_DIR) + "/gos";

struct Outcome {
  int exit_code;
  std::string output;
};

Outcome shell(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

Outcome gos(const std::string& args) { return shell(kGos + " " + args); }

std::filesystem::path write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

TEST(Cli, HelpAndUsageErrors) {
  const Outcome help = gos("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.output, HasSubstr("Usage: gos COMMAND"));
  EXPECT_THAT(help.output, HasSubstr("validate"));
  EXPECT_EQ(gos("run --help").exit_code, 0);
  const Outcome unknown = gos("rnu");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.output, HasSubstr("unknown command 'rnu'; did you mean 'run'?"));
  const Outcome no_file = gos("run");
  EXPECT_EQ(no_file.exit_code, 2);
  EXPECT_THAT(no_file.output, HasSubstr("missing the experiment FILE"));
  EXPECT_EQ(gos("run x.toml --bogus").exit_code, 2);
}

TEST(Cli, EveryCommandAndSubcommandHasHelp) {
  // Commands are read from `gos --help`, so a new command is covered too.
  std::istringstream listing(gos("--help").output);
  std::vector<std::string> commands;
  for (std::string line; std::getline(listing, line);) {
    if (line.starts_with("Not in this build")) break;  // LibTorch commands of a torch-less build
    if (line.starts_with("  ") && line.size() > 2 && line[2] != ' ') commands.push_back(line.substr(2, line.find(' ', 2) - 2));
  }
  ASSERT_GE(commands.size(), 3u);
  // Subcommands with required options of their own.
  for (const char* sub : {"latency dataset", "latency train", "latency eval", "lut build", "nb201 convert"})
    if (std::find(commands.begin(), commands.end(), std::string(sub).substr(0, std::string(sub).find(' '))) !=
        commands.end())
      commands.push_back(sub);
  for (const std::string& command : commands) {
    const Outcome help = gos(command + " --help");
    EXPECT_EQ(help.exit_code, 0) << command << ": " << help.output;
    EXPECT_THAT(help.output, ::testing::ContainsRegex("[Uu]sage")) << command;
  }
}

TEST(Cli, PluginsListsKindVersionPathAndParameters) {
  const Outcome out = gos("plugins");
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_THAT(out.output, HasSubstr("random_search (strategy plugin, version 1.0.0)"));
  EXPECT_THAT(out.output, HasSubstr("libgos_random_search.so"));
  EXPECT_THAT(out.output, HasSubstr("evaluations            1000"));
}

TEST(Cli, ValidateTheQuickstartAndReportBadFiles) {
  const Outcome ok = gos(std::string("validate ") + GOS_SOURCE_DIR + "/experiments/quickstart.toml");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_THAT(ok.output, HasSubstr(": ok (experiment 'quickstart'"));
  const auto dir = testing::scratch_dir("cli_validate");
  const Outcome missing = gos("validate " + (dir / "nope.toml").string());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.output, HasSubstr("cannot read experiment file"));
  const auto bad = write_file(dir / "bad.toml", testing::zdt_experiment("x.h5", "populaton = 3\n"));
  const Outcome unknown = gos("validate " + bad.string());
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.output, HasSubstr("bad.toml:15:1: [strategy] unknown key 'populaton'"));
  const Outcome set = gos("validate " + bad.string() + " --set strategy.batch=-1");
  EXPECT_EQ(set.exit_code, 1);
}

TEST(Cli, UnwritableOutputIsAClearError) {
  const auto dir = testing::scratch_dir("cli_unwritable");
  const auto file = write_file(dir / "exp.toml", testing::zdt_experiment("/proc/no-results-here/run.h5"));
  const Outcome out = gos("run " + file.string());
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_THAT(out.output, HasSubstr("/proc/no-results-here"));
}

TEST(Cli, PluginPathFromTheEnvironment) {
  const auto dir = testing::scratch_dir("cli_env");
  const auto file = write_file(dir / "exp.toml",
                               testing::zdt_experiment(dir / "run.h5", "", "[[objectives]]\nplugin = \"probe\"\n"));
  EXPECT_EQ(gos("validate " + file.string()).exit_code, 1);
  const Outcome with_env = shell("GOS_PLUGIN_PATH=" + testing::test_plugin_dir("probe") + " " + kGos + " validate " +
                                 file.string());
  EXPECT_EQ(with_env.exit_code, 0) << with_env.output;
  const Outcome abi = shell("GOS_PLUGIN_PATH=" + testing::test_plugin_dir("bad_abi") + " " + kGos + " plugins");
  EXPECT_EQ(abi.exit_code, 1);
  EXPECT_THAT(abi.output, HasSubstr(fmt::format("libgos_test_bad_abi.so' was built for plugin ABI version {}",
                                                kPluginAbiVersion + 1)));
}

// Polls the results file until it records `generations` generations.
bool wait_for_generations(const std::filesystem::path& path, size_t generations, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (std::filesystem::exists(path) && read_results(path).generations.size() >= generations) return true;
    } catch (const Error&) {
      // The writer may hold the file mid-append; try again.
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST(Cli, RunKilledWithSigkillResumesToTheUninterruptedResult) {
  const auto dir = testing::scratch_dir("cli_kill");
  // 12 generations of 10 evaluations at 15 ms each: about 2 s per run.
  const std::string body = testing::zdt_experiment(
      "unused.h5", "",
      "[plugins]\npaths = [\"" + testing::test_plugin_dir("probe") + "\"]\n[[objectives]]\nplugin = \"probe\"\nsleep_ms = 15\n");
  const auto file = write_file(dir / "exp.toml", body);
  const std::string overrides = " --set strategy.evaluations=120";
  const Outcome full = gos("run -q " + file.string() + overrides + " -o " + (dir / "full.h5").string());
  ASSERT_EQ(full.exit_code, 0) << full.output;

  const std::filesystem::path killed = dir / "killed.h5";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string file_arg = file.string(), out_arg = killed.string();
    execl(kGos.c_str(), kGos.c_str(), "run", "-q", file_arg.c_str(), "--set", "strategy.evaluations=120", "-o",
          out_arg.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const bool reached = wait_for_generations(killed, 4, std::chrono::seconds(60));
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(reached);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before it could be killed";

  // The killed file is readable and marked as still running.
  const RunResults partial = read_results(killed);
  EXPECT_EQ(partial.metadata.status, "running");
  EXPECT_GE(partial.generations.size(), 4u);
  EXPECT_LT(partial.generations.size(), 12u);

  const Outcome resumed = gos("run -q " + file.string() + overrides + " -o " + killed.string() + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_THAT(resumed.output, HasSubstr("replayed from the file"));
  const RunResults a = read_results(dir / "full.h5"), b = read_results(killed);
  EXPECT_EQ(b.metadata.status, "completed");
  ASSERT_EQ(a.evaluations.size(), 120u);
  testing::expect_same_evaluations(a, b);

  // Resuming with a changed experiment is refused and leaves the file intact.
  const Outcome other = gos("run -q " + file.string() + " -o " + killed.string() + " --resume");
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_THAT(other.output, HasSubstr("was written by another experiment"));
  EXPECT_EQ(read_results(killed).evaluations.size(), 120u);
}

TEST(Cli, ResultsAreReadableFromDebianPythonWithH5py) {
  if (!std::filesystem::exists("/usr/bin/python3") || shell("/usr/bin/python3 -c 'import h5py'").exit_code != 0)
    GTEST_SKIP() << "Debian's /usr/bin/python3 with h5py is not installed (apt-get install python3-h5py)";
  const auto dir = testing::scratch_dir("cli_python");
  const auto file = write_file(dir / "exp.toml", testing::zdt_experiment(dir / "run.h5"));
  ASSERT_EQ(gos("run -q " + file.string()).exit_code, 0);
  const Outcome py = shell(std::string("/usr/bin/python3 ") + GOS_SOURCE_DIR + "/tests/read_results.py " +
                           (dir / "run.h5").string());
  EXPECT_EQ(py.exit_code, 0) << py.output;
  EXPECT_THAT(py.output, HasSubstr("evaluations 60 objectives ['f1', 'f2'] generations 6 status completed"));
}

}  // namespace
}  // namespace gos
