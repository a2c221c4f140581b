#include "torchlib/profile.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <thread>

namespace gos {
namespace {

TEST(Inefficiency, MatchesTheDocumentedFormulaOnAHandExample) {
  // Latencies 6, 3, 1 ms; parameters 600, 1, 100 -> lpp 0.01, 3, 0.01; median lpp 0.01.
  const auto scores = inefficiency_scores({6, 3, 1}, {600, 1, 100});
  ASSERT_EQ(scores.size(), 3u);
  EXPECT_NEAR(scores[0], 60.0 * (1 + 0.01 / 0.02), 1e-9);
  EXPECT_NEAR(scores[1], 30.0 * (1 + 3 / 3.01), 1e-9);
  EXPECT_NEAR(scores[2], 10.0 * (1 + 0.01 / 0.02), 1e-9);
}

TEST(Inefficiency, ShareRanksFirstAndLatencyPerParameterBreaksNearTies) {
  // Equal latency: the parameter-free slot (a ReLU) is the less efficient one.
  const auto tie = inefficiency_scores({2, 2, 1}, {0, 1000, 50});
  EXPECT_GT(tie[0], tie[1]);
  // The factor is below 2, so a slot with twice the share always ranks higher.
  const auto dominant = inefficiency_scores({2, 0.99, 1}, {1000000, 0, 1000000});
  EXPECT_GT(dominant[0], dominant[1]);
}

TEST(Timing, SingleRunTimerMeasuresTheWork) {
  struct Sleep : Workload {
    std::string key() const override { return "sleep"; }
    void run() override { std::this_thread::sleep_for(std::chrono::milliseconds(3)); }
  } sleep;
  const double ms = single_run_timer(false)(sleep);
  EXPECT_GE(ms, 3.0);
  EXPECT_LT(ms, 100.0);
  // Sleeping is no work: process CPU time stays far below the 3 ms of wall time.
  EXPECT_LT(single_run_timer(true)(sleep), 1.0);
}

TEST(Profile, CoversEverySlotSharesSumToOneAndRankingIsByScore) {
  ZooOptions narrow;
  narrow.width = 0.25;
  auto model = make_zoo_model("resnet18", narrow);
  // Every workload is timed through the injected timer: count the calls.
  size_t timed = 0;
  const WorkloadTimer counting = [&](Workload& workload) {
    ++timed;
    return single_run_timer(false)(workload);
  };
  const ModelProfile profile = profile_model(*model, {1, 3, 32, 32}, {1, 3, 1}, counting);
  EXPECT_EQ(timed, 3 * (model->slot_paths().size() + 1));
  ASSERT_EQ(profile.slots.size(), model->slot_paths().size());
  double shares = 0;
  for (const SlotProfile& slot : profile.slots) {
    EXPECT_GT(slot.latency_ms, 0) << slot.info.path;
    shares += slot.share;
  }
  EXPECT_NEAR(shares, 1.0, 1e-9);
  EXPECT_GT(profile.whole_ms, 0);
  EXPECT_EQ(profile.threads, 1);
  const auto order = rank_by_inefficiency(profile);
  for (size_t i = 1; i < order.size(); ++i)
    EXPECT_GE(profile.slots[order[i - 1]].inefficiency, profile.slots[order[i]].inefficiency);
  EXPECT_TRUE(model->is_training());  // profiling leaves the mode as it was
}

TEST(Profile, ReportsTheSpreadOverRoundsOfEverySlotAndTheWholeModel) {
  ZooOptions narrow;
  narrow.width = 0.25;
  auto model = make_zoo_model("resnet18", narrow);
  // Every workload reads 1, 2, 3 ms over its three rounds: median 2, IQR 1.
  std::map<std::string, int> calls;
  const WorkloadTimer fake = [&](Workload& workload) { return 1.0 + calls[workload.key()]++ % 3; };
  const ModelProfile profile = profile_model(*model, {1, 3, 32, 32}, {0, 3, 1}, fake);
  for (const SlotProfile& slot : profile.slots) {
    EXPECT_DOUBLE_EQ(slot.latency_ms, 2.0) << slot.info.path;
    EXPECT_DOUBLE_EQ(slot.spread, 0.5) << slot.info.path;
  }
  EXPECT_DOUBLE_EQ(profile.whole_ms, 2.0);
  EXPECT_DOUBLE_EQ(profile.whole_spread, 0.5);
}

}  // namespace
}  // namespace gos
