// Real mpirun jobs of the gos binary (docs/SCALING.md): the results file of
// `mpirun -n 3 gos run` holds the serial run's evaluations in the serial
// order; ranks that would not run the same thing are refused on rank 0 with
// nothing lost; a worker that dies leaves a file that --resume completes;
// `gos sweep` runs side by side. Every test skips when MPI was not built.
#include <gmock/gmock.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <thread>

#include "framework/results.h"
#include "tests/cli_support.h"
#include "tests/test_support.h"

namespace gos {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

#ifdef GOS_MPIEXEC
// Three ranks on a machine of two cores, possibly as root (containers, CI).
const std::string kMpirun = [] {
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 0);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 0);
  setenv("OMPI_MCA_btl_vader_single_copy_mechanism", "none", 0);
  return std::string(GOS_MPIEXEC) + " --oversubscribe --bind-to none";
}();
#define SKIP_WITHOUT_MPI()
#else
const std::string kMpirun;
#define SKIP_WITHOUT_MPI() \
  GTEST_SKIP() << "GOS was built without MPI (GOS_WITH_MPI=OFF or libopenmpi-dev missing): no mpirun test"
#endif

using testing::kGos;

// ZDT1 with NSGA-II; the probe objective throws for x0 > 0.8 and returns NaN
// for 0.6 < x0 <= 0.8, so some evaluations fail in both ways.
std::string experiment(const std::string& strategy = "plugin = \"nsga2\"\npopulation = 8\ngenerations = 4",
                       int64_t sleep_ms = 0, bool plugin_path = true, int seed = 4) {
  std::string text = "[experiment]\nname = \"mpi\"\nseed = " + std::to_string(seed) + "\noutput = \"unused.h5\"\n\n";
  if (plugin_path)
    text += "[plugins]\npaths = [\"" + testing::test_plugin_dir("probe") + "\", \"" +
            testing::test_plugin_dir("repeat") + "\"]\n\n";
  return text + "[search_space]\nplugin = \"test_problem\"\nproblem = \"zdt1\"\ndimensions = 4\n\n[strategy]\n" +
         strategy + "\n\n[[objectives]]\nplugin = \"probe\"\nthrow_above = 0.8\nnan_above = 0.6\nsleep_ms = " +
         std::to_string(sleep_ms) + "\n\n[[objectives]]\nplugin = \"metric\"\nmetric = \"function\"\non = \"f2\"\n";
}

testing::Outcome serial_run(const fs::path& file, const fs::path& output) {
  return testing::shell(kGos + " run " + file.string() + " -o " + output.string() + " --quiet --overwrite");
}

testing::Outcome mpi_run(int ranks, const fs::path& file, const fs::path& output, const std::string& extra = "") {
  return testing::shell(kMpirun + " -n " + std::to_string(ranks) + " " + kGos + " run " + file.string() + " -o " +
                        output.string() + " --quiet " + extra);
}

TEST(MpiRun, ThreeRanksWriteTheSerialRunsEvaluationsInItsOrder) {
  SKIP_WITHOUT_MPI();
  const fs::path dir = testing::scratch_dir("mpi_same");
  const fs::path file = testing::write_file(dir / "exp.toml", experiment());
  ASSERT_EQ(serial_run(file, dir / "serial.h5").exit_code, 0);
  const testing::Outcome outcome = mpi_run(3, file, dir / "mpi.h5");
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  const RunResults serial = read_results(dir / "serial.h5"), mpi = read_results(dir / "mpi.h5");
  testing::expect_same_evaluations(serial, mpi);
  EXPECT_EQ(mpi.metadata.status, "completed");
  EXPECT_EQ(mpi.metadata.extra.at("mpi.ranks"), "3");
  // Failures on the workers are failed evaluations, with the serial messages.
  size_t thrown = 0, nan = 0;
  for (const EvaluationRecord& record : mpi.evaluations) {
    thrown += record.error == "probe objective refuses x0 > threshold";
    nan += record.error == "objective 'probe_f1' returned nan";
  }
  EXPECT_GT(thrown, 0u);
  EXPECT_GT(nan, 0u);
  EXPECT_EQ(mpi.evaluations.size(), 32u);
}

TEST(MpiRun, RepeatedGenomesAreCachedAsInOneProcess) {
  SKIP_WITHOUT_MPI();
  const fs::path dir = testing::scratch_dir("mpi_repeat");
  const fs::path file =
      testing::write_file(dir / "exp.toml", experiment("plugin = \"repeat\"\nbatch = 5\ngenerations = 3"));
  ASSERT_EQ(serial_run(file, dir / "serial.h5").exit_code, 0);
  ASSERT_EQ(mpi_run(3, file, dir / "mpi.h5").exit_code, 0);
  const RunResults serial = read_results(dir / "serial.h5"), mpi = read_results(dir / "mpi.h5");
  testing::expect_same_evaluations(serial, mpi);
  size_t cached = 0;
  for (const EvaluationRecord& record : mpi.evaluations) cached += record.cached;
  EXPECT_EQ(cached, 10u);  // generations 2 and 3 repeat generation 1
}

TEST(MpiRun, OneProcessRunsAsWithoutMpirun) {
  SKIP_WITHOUT_MPI();
  const fs::path dir = testing::scratch_dir("mpi_one");
  const fs::path file = testing::write_file(dir / "exp.toml", experiment());
  ASSERT_EQ(serial_run(file, dir / "serial.h5").exit_code, 0);
  const testing::Outcome outcome = mpi_run(1, file, dir / "mpi.h5");
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  EXPECT_THAT(outcome.output, HasSubstr("an MPI launcher started 1 process: it runs everything itself"));
  testing::expect_same_evaluations(read_results(dir / "serial.h5"), read_results(dir / "mpi.h5"));
}

TEST(MpiRun, RanksWithAnotherExperimentFileAreRefused) {
  SKIP_WITHOUT_MPI();
  const fs::path dir = testing::scratch_dir("mpi_other_file");
  const fs::path a = testing::write_file(dir / "a.toml", experiment());
  const fs::path b = testing::write_file(dir / "b.toml",
                                         experiment("plugin = \"nsga2\"\npopulation = 8\ngenerations = 4", 0, true, 5));
  const fs::path out = dir / "out.h5";
  const testing::Outcome outcome =
      testing::shell(kMpirun + " -n 1 " + kGos + " run " + a.string() + " -o " + out.string() + " : -n 2 " + kGos +
                     " run " + b.string() + " -o " + out.string());
  EXPECT_NE(outcome.exit_code, 0);
  EXPECT_THAT(outcome.output, HasSubstr("error: the 3 MPI ranks would not run the same thing; nothing was run"));
  EXPECT_THAT(outcome.output, HasSubstr("rank 1 ("));
  EXPECT_THAT(outcome.output, HasSubstr("rank 2 ("));
  EXPECT_THAT(outcome.output, HasSubstr("runs another experiment: '" + b.string() + "'"));
  EXPECT_FALSE(fs::exists(out));
}

TEST(MpiRun, RanksOfAnotherBuildAreRefused) {
  SKIP_WITHOUT_MPI();
  // Another build: a copy of the gos binary with one byte more (still
  // runnable), beside the build tree's libraries and plugins.
  const fs::path dir = testing::scratch_dir("mpi_other_build");
  const fs::path other = dir / "other";
  fs::create_directories(other);
  for (const fs::directory_entry& entry : fs::directory_iterator(GOS_BINARY_DIR))
    if (entry.path().extension() == ".so" || entry.path().filename() == "plugins")
      fs::create_symlink(entry.path(), other / entry.path().filename());
  fs::copy_file(kGos, other / "gos");
  { std::ofstream(other / "gos", std::ios::app) << '\n'; }
  const fs::path file = testing::write_file(dir / "exp.toml", experiment());
  const testing::Outcome outcome = testing::shell(kMpirun + " -n 2 " + kGos + " run " + file.string() + " -o " +
                                                  (dir / "out.h5").string() + " : -n 1 " + (other / "gos").string() +
                                                  " run " + file.string() + " -o " + (dir / "out.h5").string());
  EXPECT_NE(outcome.exit_code, 0);
  EXPECT_THAT(outcome.output, HasSubstr("rank 2 ("));
  EXPECT_THAT(outcome.output, HasSubstr("runs another build of GOS or its plugins: gos has hash"));
  EXPECT_THAT(outcome.output, Not(HasSubstr("rank 1 (")));
  EXPECT_FALSE(fs::exists(dir / "out.h5"));
}

TEST(MpiRun, AWorkerThatCannotLoadAPluginIsReportedAndNothingIsLost) {
  SKIP_WITHOUT_MPI();
  const fs::path dir = testing::scratch_dir("mpi_no_plugin");
  // The probe plugin comes from GOS_PLUGIN_PATH, which only rank 0 gets.
  const fs::path file = testing::write_file(
      dir / "exp.toml", experiment("plugin = \"nsga2\"\npopulation = 8\ngenerations = 4", 0, false));
  const fs::path out = dir / "out.h5";
  const std::string with_probe = "env GOS_PLUGIN_PATH=" + testing::test_plugin_dir("probe") + " ";
  ASSERT_EQ(testing::shell(with_probe + kGos + " run " + file.string() + " -o " + out.string() + " --quiet").exit_code,
            0);
  const std::string before = testing::read_file(out);
  const testing::Outcome outcome =
      testing::shell(kMpirun + " -n 1 " + with_probe + kGos + " run " + file.string() + " -o " + out.string() +
                     " --overwrite : -n 2 " + kGos + " run " + file.string() + " -o " + out.string() + " --overwrite");
  EXPECT_NE(outcome.exit_code, 0);
  EXPECT_THAT(outcome.output, HasSubstr("rank 1 ("));
  EXPECT_THAT(outcome.output, HasSubstr("cannot build the experiment: "));
  EXPECT_THAT(outcome.output, HasSubstr("unknown objective plugin 'probe'"));
  EXPECT_EQ(testing::read_file(out), before) << "the refused run touched the results file";
}

// The pid of rank `rank` of the job whose command line names `marker`.
std::optional<pid_t> rank_pid(int rank, const std::string& marker) {
  for (const fs::directory_entry& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = testing::read_file(entry.path() / "cmdline");
    std::string environ = testing::read_file(entry.path() / "environ");
    if (cmdline.find(marker) == std::string::npos || cmdline.find("gos") == std::string::npos) continue;
    if (environ.find(std::string("OMPI_COMM_WORLD_RANK=") + std::to_string(rank) + '\0') == std::string::npos) continue;
    return static_cast<pid_t>(std::stoi(name));
  }
  return std::nullopt;
}

bool wait_for(const std::function<bool()>& condition, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST(MpiRun, AWorkerThatDiesStopsTheRunResumably) {
  SKIP_WITHOUT_MPI();
  const fs::path dir = testing::scratch_dir("mpi_worker_dies");
  const fs::path file =
      testing::write_file(dir / "exp.toml", experiment("plugin = \"nsga2\"\npopulation = 4\ngenerations = 30", 25));
  const fs::path out = dir / "out.h5", log = dir / "log", rc = dir / "rc";
  testing::shell("(" + kMpirun + " -n 3 " + kGos + " run " + file.string() + " -o " + out.string() + " > " +
                 log.string() + " 2>&1; echo $? > " + rc.string() + ") > /dev/null 2>&1 &");
  ASSERT_TRUE(wait_for([&] { return testing::read_file(log).find("generation    2") != std::string::npos; },
                       std::chrono::seconds(60)))
      << testing::read_file(log);
  const std::optional<pid_t> worker = rank_pid(1, out.string());
  ASSERT_TRUE(worker) << "rank 1 not found";
  kill(*worker, SIGKILL);
  ASSERT_TRUE(wait_for([&] { return !testing::read_file(rc).empty(); }, std::chrono::seconds(60)));
  EXPECT_NE(std::stoi(testing::read_file(rc)), 0);
  const std::string output = testing::read_file(log);
  // Rank 0 says what happened and how to continue, unless mpiexec's abort
  // kills it first (a race the machine's load decides); what matters either
  // way is below: the file is readable and --resume completes it.
  if (output.find("the job has been aborted") == std::string::npos) {
    EXPECT_THAT(output, HasSubstr("the MPI job is being stopped")) << output;
    EXPECT_THAT(output, HasSubstr("--resume")) << output;
  }
  const RunResults partial = read_results(out);  // readable, with the generations written before the kill
  EXPECT_NE(partial.metadata.status, "completed");
  EXPECT_GE(partial.generations.size(), 3u);
  EXPECT_LT(partial.generations.size(), 30u);
  const testing::Outcome resumed = mpi_run(3, file, out, "--resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  ASSERT_EQ(serial_run(file, dir / "serial.h5").exit_code, 0);
  testing::expect_same_evaluations(read_results(dir / "serial.h5"), read_results(out));
}

TEST(MpiSweep, RunsSideBySideAndWritesTheSerialSweepsFiles) {
  SKIP_WITHOUT_MPI();
  const fs::path dir = testing::scratch_dir("mpi_sweep");
  const fs::path file = testing::write_file(dir / "exp.toml", experiment());
  const std::string sweep = " sweep " + file.string() + " --seeds 0..3 --quiet -o ";
  ASSERT_EQ(testing::shell(kGos + sweep + (dir / "serial").string()).exit_code, 0);
  const testing::Outcome outcome = testing::shell(kMpirun + " -n 3 " + kGos + sweep + (dir / "mpi").string());
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  EXPECT_THAT(outcome.output, HasSubstr("[4/4] "));
  EXPECT_THAT(outcome.output, HasSubstr("(rank 1)"));
  EXPECT_THAT(outcome.output, HasSubstr("(rank 2)"));
  for (int seed = 0; seed < 4; ++seed) {
    const std::string name = "nsga2-seed" + std::to_string(seed) + ".h5";
    testing::expect_same_evaluations(read_results(dir / "serial" / name), read_results(dir / "mpi" / name));
  }
}

}  // namespace
}  // namespace gos
