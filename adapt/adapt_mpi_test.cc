// Real `mpirun --oversubscribe -n 3 gos adapt` jobs (docs/ADAPT.md, "Over
// MPI") against one serial run of the same tiny adaptation: with a
// deterministic latency model (a predictor) every search file and every
// iteration record is the same whatever the number of ranks; ranks started
// with other settings or without the data are refused before anything runs;
// workers that do not see the run directory are named on rank 0, and the run
// directory they leave resumes to the serial result. Each test skips when MPI
// was not built or the CIFAR-10 data is missing.
#include <gmock/gmock.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "adapt/results.h"
#include "framework/results.h"
#include "plugins/latency/predictor/kernel_predictor.h"
#include "searchspaces/gos/instruction.h"
#include "tests/cli_support.h"
#include "tests/test_support.h"

namespace gos::adapt {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

const fs::path kCifar = fs::path(GOS_SOURCE_DIR) / ".." / "shared" / "data" / "cifar10";

#ifdef GOS_MPIEXEC
// Three ranks on a machine of two cores, possibly as root (containers, CI).
const std::string kMpirun = [] {
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 0);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 0);
  setenv("OMPI_MCA_btl_vader_single_copy_mechanism", "none", 0);
  return std::string(GOS_MPIEXEC) + " --oversubscribe --bind-to none";
}();
#else
const std::string kMpirun;
#endif

// A latency predictor that is a fixed function of each kernel's FLOPs:
// deterministic, so that the runs can be compared value for value, and
// defined for every instruction a search may produce.
fs::path write_flops_predictor(const fs::path& path) {
  KernelPredictorWeights weights;
  size_t attrs = 0;
  for (const graph::InstructionDef& def : graph::instruction_table()) {
    if (def.op == graph::Op::kInput) continue;
    weights.layout.kernel_types.push_back(def.name);
    attrs = std::max(attrs, def.attrs.size());
  }
  weights.layout.kernel_features = 8 + attrs;  // input and output shapes, FLOPs, parameters, attributes
  const size_t width = weights.layout.width();
  weights.feature_mean.assign(width, 0);
  weights.feature_std.assign(width, 1);
  DenseLayer layer{width, 1, std::vector<double>(width, 0), {-12}};
  layer.weight[weights.layout.kernel_types.size() + weights.layout.kernel_features] = 1;  // log1p(FLOPs)
  weights.layers = {layer};
  weights.output_scale = 0.5;
  weights.overhead_ms = 0.2;
  weights.trained_on = "adapt_mpi_test: 0.5 * softplus(log1p(flops) - 12) ms per kernel";
  write_predictor(path, weights);
  return path;
}

// A narrow ResNet18 on a few hundred images; up to two searched slots.
fs::path write_experiment(const fs::path& dir) {
  const fs::path predictor = write_flops_predictor(dir / "predictor.h5");
  const std::string adapt =
      "[adapt]\nmodel = \"resnet18\"\nwidth = 0.125\ndata_dir = \"" + kCifar.string() + "\"\n" +
      "train_files = [\"data_batch_1.bin\"]\ntrain_subset = 256\nholdout = 64\neval_subset = 32\n"
      "test_images = 0\nbatch_size = 32\nbaseline_steps = 4\nepsilon = 50\nmax_modified = 2\npatience = 2\n"
      "max_nodes = 4\ndistill_images = 32\ndistill_steps = 4\nfinetune_steps = 2\nseed = 3\nthreads = 1\n";
  const std::string strategy = "[adapt.strategy]\nplugin = \"nsga2\"\npopulation = 4\ngenerations = 2\n";
  const std::string latency = "[adapt.latency]\nplugin = \"predictor\"\nfile = \"" + predictor.string() + "\"\n";
  return testing::write_file(dir / "tiny.toml", adapt + "\n" + strategy + "\n" + latency);
}

// The records of two runs agree except for timings, host and start time.
void expect_same_adaptation(const fs::path& a, const fs::path& b) {
  const AdaptRecord x = read_adapt_file(a / "adapt.h5"), y = read_adapt_file(b / "adapt.h5");
  EXPECT_EQ(y.info.status, RunStatus::kCompleted);
  ASSERT_TRUE(x.baseline && y.baseline);
  EXPECT_EQ(x.baseline->search_accuracy, y.baseline->search_accuracy);
  ASSERT_EQ(x.iterations.size(), y.iterations.size());
  for (size_t k = 0; k < x.iterations.size(); ++k) {
    const IterationRecord &p = x.iterations[k], &q = y.iterations[k];
    EXPECT_EQ(p.slot, q.slot) << "iteration " << k;
    EXPECT_EQ(p.status, q.status) << "iteration " << k;
    EXPECT_EQ(p.chosen_genome, q.chosen_genome) << "iteration " << k;
    EXPECT_EQ(p.accuracy_after, q.accuracy_after) << "iteration " << k;
    EXPECT_EQ(p.latency_after_ms, q.latency_after_ms) << "iteration " << k;
    EXPECT_EQ(p.evaluations, q.evaluations) << "iteration " << k;
    if (p.search_file.empty()) continue;
    testing::expect_same_evaluations(read_results(a / p.search_file), read_results(b / q.search_file));
  }
  ASSERT_TRUE(x.final && y.final);
  EXPECT_EQ(x.final->modified, y.final->modified);
  EXPECT_EQ(x.final->accuracy, y.final->accuracy);
}

class AdaptOverMpi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (kMpirun.empty() || !fs::exists(kCifar / "data_batch_1.bin")) return;
    dir_ = new fs::path(testing::scratch_dir("adapt_mpi"));
    file_ = new fs::path(write_experiment(*dir_));
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete file_;
    dir_ = file_ = nullptr;
  }
  void SetUp() override {
    if (kMpirun.empty())
      GTEST_SKIP() << "GOS was built without MPI (GOS_WITH_MPI=OFF or libopenmpi-dev missing): no mpirun test";
    if (!dir_) GTEST_SKIP() << "CIFAR-10 not found at " << kCifar << " (see ../shared/data/README.md)";
  }
  // The run without mpirun, done once for the tests that compare with it.
  static fs::path serial() {
    const fs::path out = *dir_ / "serial";
    if (!fs::exists(out / "adapt.h5")) {
      const testing::Outcome outcome = testing::gos("adapt " + file_->string() + " -o " + out.string() + " --quiet");
      EXPECT_EQ(outcome.exit_code, 0) << outcome.output;
    }
    return out;
  }
  static fs::path* dir_;
  static fs::path* file_;
};

fs::path* AdaptOverMpi::dir_ = nullptr;
fs::path* AdaptOverMpi::file_ = nullptr;

TEST_F(AdaptOverMpi, ThreeRanksWriteTheSerialRunsSearchesAndRecord) {
  const fs::path out = *dir_ / "mpi";
  const testing::Outcome outcome =
      testing::shell(kMpirun + " -n 3 " + testing::kGos + " adapt " + file_->string() + " -o " + out.string());
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  // Rank 0 ran the pipeline; the candidates were evaluated by the workers.
  EXPECT_THAT(outcome.output, HasSubstr("#0 search: "));
  EXPECT_THAT(outcome.output, HasSubstr("on the MPI workers"));
  const AdaptRecord record = read_adapt_file(out / "adapt.h5");
  ASSERT_EQ(record.iterations.size(), 2u) << outcome.output;
  // The second search ran over the model the first one left: the workers rebuilt it from the run directory.
  EXPECT_EQ(record.iterations[0].status, IterationStatus::kAccepted) << record.iterations[0].reason;
  expect_same_adaptation(serial(), out);
}

TEST_F(AdaptOverMpi, RanksWithOtherSettingsOrWithoutTheDataAreRefusedBeforeTheRunDirectoryIsTouched) {
  const fs::path out = *dir_ / "refused";
  const std::string adapt = " " + testing::kGos + " adapt " + file_->string() + " -o " + out.string();
  const testing::Outcome outcome = testing::shell(kMpirun + " -n 1" + adapt + " : -n 1" + adapt + " --set seed=4" +
                                                  " : -n 1" + adapt + " --set 'data_dir=\"/nonexistent\"'");
  EXPECT_NE(outcome.exit_code, 0);
  EXPECT_THAT(outcome.output, HasSubstr("error: the 3 MPI ranks would not run the same thing; nothing was run"));
  EXPECT_THAT(outcome.output, HasSubstr("rank 1 ("));
  EXPECT_THAT(outcome.output, HasSubstr("runs another experiment: '" + file_->string() + "'"));
  EXPECT_THAT(outcome.output, HasSubstr("rank 2 ("));
  EXPECT_THAT(outcome.output, HasSubstr("cannot build the experiment: "));
  EXPECT_THAT(outcome.output, HasSubstr("/nonexistent"));
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(AdaptOverMpi, WorkersThatDoNotSeeTheRunDirectoryAreNamedAndTheRunResumes) {
  // The workers start in another directory, so the relative run directory is
  // not the one rank 0 writes: as on nodes without a shared file system.
  const fs::path here = *dir_ / "rank0", elsewhere = *dir_ / "elsewhere";
  fs::create_directories(here);
  fs::create_directories(elsewhere);
  const std::string adapt = " " + testing::kGos + " adapt " + file_->string() + " -o run --quiet";
  const testing::Outcome outcome =
      testing::shell(kMpirun + " -n 1 -wdir " + here.string() + adapt + " : -n 2 -wdir " + elsewhere.string() + adapt);
  EXPECT_NE(outcome.exit_code, 0);
  EXPECT_THAT(outcome.output, HasSubstr("error: MPI workers cannot evaluate the search of 'run/search_000.h5'"));
  EXPECT_THAT(outcome.output, HasSubstr("continue with `gos adapt " + file_->string() + " --resume`"));
  for (const char* rank : {"rank 1: ", "rank 2: "})
    EXPECT_THAT(outcome.output, HasSubstr(std::string(rank) + "'run/adapt.h5' does not exist here: the run directory "
                                                              "must be on a file system every MPI rank reads"));
  // What was done is recorded and readable: the baseline, no iteration, the run marked failed.
  const AdaptRecord failed = read_adapt_file(here / "run" / "adapt.h5");
  EXPECT_EQ(failed.info.status, RunStatus::kFailed);
  ASSERT_TRUE(failed.baseline);
  EXPECT_TRUE(failed.iterations.empty());
  EXPECT_FALSE(fs::exists(elsewhere / "run"));
  // --resume (here without mpirun) ends as the serial run did.
  const testing::Outcome resumed = testing::shell("cd " + here.string() + " &&" + adapt + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  expect_same_adaptation(serial(), here / "run");
}

}  // namespace
}  // namespace gos::adapt
