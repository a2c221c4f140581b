#include "adapt/results.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "framework/error.h"

namespace gos::adapt {
namespace {

std::filesystem::path temp_file(const std::string& name) {
  const auto dir = std::filesystem::path(GOS_BINARY_DIR) / "test-output" / "adapt_results_test";
  std::filesystem::create_directories(dir);
  return dir / name;
}

IterationRecord iteration(const std::string& slot, IterationStatus status) {
  IterationRecord it;
  it.slot = slot;
  it.slot_kind = "conv3x3";
  it.input = "16x32x32";
  it.output = "16x32x32";
  it.status = status;
  it.reason = "because";
  it.search_file = "search_000.h5";
  it.seed_genome = "in:16x32x32;n1=conv[k=3,co=16,g=1,d=1,s=1](n0);out:n1";
  it.chosen_genome = status == IterationStatus::kAccepted ? "in:16x32x32;n1=dwconv[k=3,d=1,s=1](n0);out:n1" : "";
  it.latency_before_ms = 2.5;
  it.latency_after_ms = status == IterationStatus::kAccepted ? 1.5 : std::nan("");
  it.params_before = 1000;
  it.params_after = 900;
  it.accuracy_before = 50;
  it.accuracy_estimate = 49.5;
  it.accuracy_after = 49.75;
  it.search_seconds = 3;
  it.finetune_seconds = 1;
  it.evaluations = 24;
  it.front = {{"g1", 1.5, 900, 0.5, true}, {"g2", 1.2, 800, 3.0, false}};
  return it;
}

TEST(AdaptResults, WritesStepByStepAndReadsBack) {
  const auto path = temp_file("roundtrip.h5");
  RunInfo info;
  info.model = "resnet18";
  info.config_toml = "[adapt]\nmodel = \"resnet18\"\n";
  info.accuracy_estimate = "distill";
  info.epsilon = 1;
  info.device = "cpu: 2 cores";
  info.device_cores = 2;
  info.device_threads = 1;
  info.status = RunStatus::kRunning;
  info.strategy = "nsga2";
  info.start_time = "2026-01-01T00:00:00Z";
  create_adapt_file(path, info);
  // Readable before anything but the header is written.
  AdaptRecord record = read_adapt_file(path);
  EXPECT_EQ(record.info.status, RunStatus::kRunning);
  EXPECT_EQ(record.info.strategy, "nsga2");
  EXPECT_FALSE(record.baseline);
  EXPECT_TRUE(record.iterations.empty());

  BaselineRecord baseline;
  baseline.latency_ms = 3;
  baseline.params = 1234;
  baseline.accuracy = 51;
  baseline.test_accuracy = std::nan("");
  baseline.search_accuracy = 52;
  baseline.slots = {{"conv1", "conv3x3", 0.5, 0.25, 30, 432}, {"bn1", "batchnorm", 0.1, 0.05, 5, 32}};
  write_baseline(path, baseline);
  write_iteration(path, 0, iteration("layer4.1.conv2", IterationStatus::kAccepted));
  write_iteration(path, 1, iteration("layer4.1.conv1", IterationStatus::kInfeasible));
  FinalRecord final{1.5, 3.0, 900, 49.75, 48, 2.0, 1.9, 1, "adapted.pt"};
  write_final(path, final);
  set_status(path, RunStatus::kCompleted, "2026-01-01T01:00:00Z", "patience");

  record = read_adapt_file(path);
  EXPECT_EQ(record.schema_version, kAdaptSchemaVersion);
  EXPECT_EQ(record.info.model, "resnet18");
  EXPECT_EQ(record.info.config_toml, info.config_toml);
  EXPECT_EQ(record.info.status, RunStatus::kCompleted);
  EXPECT_EQ(record.info.stop_reason, "patience");
  ASSERT_TRUE(record.baseline);
  EXPECT_EQ(record.baseline->params, 1234);
  EXPECT_TRUE(std::isnan(record.baseline->test_accuracy));
  ASSERT_EQ(record.baseline->slots.size(), 2u);
  EXPECT_EQ(record.baseline->slots[1].kind, "batchnorm");
  EXPECT_DOUBLE_EQ(record.baseline->slots[0].inefficiency, 30);
  ASSERT_EQ(record.iterations.size(), 2u);
  EXPECT_EQ(record.iterations[0].status, IterationStatus::kAccepted);
  EXPECT_EQ(record.iterations[0].chosen_genome, "in:16x32x32;n1=dwconv[k=3,d=1,s=1](n0);out:n1");
  EXPECT_EQ(record.iterations[1].slot, "layer4.1.conv1");
  EXPECT_TRUE(std::isnan(record.iterations[1].latency_after_ms));
  EXPECT_EQ(record.iterations[1].front, iteration("x", IterationStatus::kInfeasible).front);
  ASSERT_TRUE(record.final);
  EXPECT_DOUBLE_EQ(record.final->speedup, 2.0);
  EXPECT_DOUBLE_EQ(record.final->estimated_speedup, 1.9);
  EXPECT_DOUBLE_EQ(record.final->baseline_latency_ms, 3.0);
  EXPECT_EQ(record.final->torchscript, "adapted.pt");
}

TEST(AdaptResults, StatusNamesRoundTripAndUnknownOnesAreErrors) {
  for (IterationStatus status :
       {IterationStatus::kAccepted, IterationStatus::kRejected, IterationStatus::kInfeasible,
        IterationStatus::kUnsupported, IterationStatus::kNoGain, IterationStatus::kPending, IterationStatus::kReverted})
    EXPECT_EQ(parse_iteration_status(to_string(status)), status);
  EXPECT_TRUE(is_spliced(IterationStatus::kPending));
  EXPECT_FALSE(is_spliced(IterationStatus::kReverted));
  EXPECT_EQ(std::string(to_string(IterationStatus::kNoGain)), "no_gain");  // the name files store
  EXPECT_THROW(parse_iteration_status("acepted"), Error);
  EXPECT_THROW(parse_run_status(""), Error);
}

TEST(AdaptResults, RejectsFilesThatAreNotAdaptRecords) {
  const auto text = temp_file("not_hdf5.h5");
  std::ofstream(text) << "hello";
  EXPECT_THROW(read_adapt_file(text), Error);
  EXPECT_THROW(read_adapt_file(temp_file("missing.h5")), Error);
}

}  // namespace
}  // namespace gos::adapt
