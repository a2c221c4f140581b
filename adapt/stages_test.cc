// The plain-C++ stages: ranking and stop rules.
#include <gtest/gtest.h>

#include <map>

#include "adapt/ranking.h"
#include "adapt/stop_rules.h"
#include "framework/error.h"

namespace gos::adapt {
namespace {

TEST(Ranking, TheScoreIsReplaceableAndOrdersOnlyEligibleKinds) {
  std::vector<SlotRecord> slots = {{"conv1", "conv3x3", 1.0, 0, 0, 100},
                                   {"bn1", "batchnorm", 5.0, 0, 0, 10},
                                   {"layer1.conv", "conv3x3", 2.0, 0, 0, 100},
                                   {"dw", "dwconv3x3", 2.0, 0, 0, 10}};
  // Latency per parameter: equal latency, fewer parameters ranks first.
  const InefficiencyScore per_parameter = [](const std::vector<double>& latency, const std::vector<int64_t>& params) {
    std::vector<double> scores;
    for (size_t i = 0; i < latency.size(); ++i) scores.push_back(latency[i] / static_cast<double>(params[i]));
    return scores;
  };
  score_slots(slots, per_parameter);
  std::vector<SlotRecord> order = search_order(slots, {"conv", "dwconv"});
  ASSERT_EQ(order.size(), 3u);     // the batch norm is not eligible
  EXPECT_EQ(order[0].path, "dw");  // equal latency, more time per parameter
  EXPECT_EQ(order[1].path, "layer1.conv");
  EXPECT_NEAR(slots[1].share, 0.5, 1e-12);

  // A score that prefers the fewest parameters reverses the order of the convolutions.
  score_slots(slots, [](const std::vector<double>&, const std::vector<int64_t>& params) {
    std::vector<double> scores;
    for (int64_t p : params) scores.push_back(-static_cast<double>(p));
    return scores;
  });
  order = search_order(slots, {"conv"});
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(order[0].path, "conv1");  // equal scores keep execution order
  EXPECT_THROW(score_slots(slots, [](const auto&, const auto&) { return std::vector<double>{}; }), Error);
}

IterationRecord searched(const std::string& slot, const std::string& kind, IterationStatus status) {
  IterationRecord it;
  it.slot = slot;
  it.slot_kind = kind;
  it.status = status;
  return it;
}

// Ranked: dw1, dw2, pw1, dw3, pw2 (as MobileNetV3's depthwise convolutions rank first).
std::vector<SlotRecord> mixed_order() {
  return {{"dw1", "dwconv3x3", 0, 0, 5, 0},
          {"dw2", "dwconv3x3", 0, 0, 4, 0},
          {"pw1", "conv1x1", 0, 0, 3, 0},
          {"dw3", "dwconv5x5", 0, 0, 2, 0},
          {"pw2", "conv1x1", 0, 0, 1, 0}};
}

std::vector<std::string> walk(const std::vector<SlotRecord>& order, SlotOrder mode,
                              const std::map<std::string, IterationStatus>& outcome) {
  std::vector<IterationRecord> done;
  std::vector<std::string> visited;
  while (const auto slot = next_slot(order, done, mode)) {
    visited.push_back(slot->path);
    done.push_back(searched(slot->path, slot->kind, outcome.at(slot->path)));
  }
  return visited;
}

TEST(Ranking, RankedOrderVisitsEverySlotOnceInRank) {
  const std::map<std::string, IterationStatus> outcome = {{"dw1", IterationStatus::kNoGain},
                                                          {"dw2", IterationStatus::kNoGain},
                                                          {"pw1", IterationStatus::kAccepted},
                                                          {"dw3", IterationStatus::kInfeasible},
                                                          {"pw2", IterationStatus::kRejected}};
  EXPECT_EQ(walk(mixed_order(), SlotOrder::kRanked, outcome),
            (std::vector<std::string>{"dw1", "dw2", "pw1", "dw3", "pw2"}));
  EXPECT_FALSE(next_slot({}, {}, SlotOrder::kDeferFailedKinds));
}

TEST(Ranking, AFailedKindWaitsUntilOtherKindsWereTried) {
  // dw1 fails: dw2 (same kind) waits; pw1 is next, then dw3 (another kind).
  std::map<std::string, IterationStatus> outcome = {{"dw1", IterationStatus::kNoGain},
                                                    {"dw2", IterationStatus::kAccepted},
                                                    {"pw1", IterationStatus::kAccepted},
                                                    {"dw3", IterationStatus::kRejected},
                                                    {"pw2", IterationStatus::kAccepted}};
  EXPECT_EQ(walk(mixed_order(), SlotOrder::kDeferFailedKinds, outcome),
            (std::vector<std::string>{"dw1", "pw1", "dw3", "pw2", "dw2"}));
  // Both kinds fail: after dw1 and pw1, dw3 (a kind not yet tried) comes next,
  // then the deferred slots in rank order.
  outcome["pw1"] = IterationStatus::kNoGain;
  outcome["dw3"] = IterationStatus::kNoGain;
  EXPECT_EQ(walk(mixed_order(), SlotOrder::kDeferFailedKinds, outcome),
            (std::vector<std::string>{"dw1", "pw1", "dw3", "dw2", "pw2"}));
  // A later success of the kind lifts the deferral: dw1 accepted keeps dw2 at its rank.
  outcome["dw1"] = IterationStatus::kAccepted;
  EXPECT_EQ(walk(mixed_order(), SlotOrder::kDeferFailedKinds, outcome),
            (std::vector<std::string>{"dw1", "dw2", "pw1", "dw3", "pw2"}));
}

TEST(Ranking, UnsupportedSlotsDoNotDeferTheirKindAndResumeContinuesTheSameOrder) {
  std::vector<IterationRecord> done = {searched("dw1", "dwconv3x3", IterationStatus::kUnsupported)};
  EXPECT_EQ(next_slot(mixed_order(), done, SlotOrder::kDeferFailedKinds)->path, "dw2");
  // The record of a killed run's iterations gives the same next slot as the run would have taken.
  done = {searched("dw1", "dwconv3x3", IterationStatus::kNoGain), searched("pw1", "conv1x1", IterationStatus::kNoGain)};
  EXPECT_EQ(next_slot(mixed_order(), done, SlotOrder::kDeferFailedKinds)->path, "dw3");
  done.push_back(searched("dw3", "dwconv5x5", IterationStatus::kNoGain));
  EXPECT_EQ(next_slot(mixed_order(), done, SlotOrder::kDeferFailedKinds)->path, "dw2");  // all deferred: rank order
}

TEST(StopRules, MaxModifiedPatienceAndTimeBudget) {
  const StopRules rules{2, 2, 1.0};
  LoopProgress progress;
  EXPECT_FALSE(stop_reason(rules, progress, 0));
  progress.count(IterationStatus::kNoGain);
  progress.count(IterationStatus::kUnsupported);  // costs no patience
  EXPECT_FALSE(stop_reason(rules, progress, 0));
  progress.count(IterationStatus::kRejected);
  EXPECT_NE(stop_reason(rules, progress, 0)->find("patience"), std::string::npos);
  progress.count(IterationStatus::kAccepted);  // resets patience
  EXPECT_FALSE(stop_reason(rules, progress, 59));
  EXPECT_NE(stop_reason(rules, progress, 61)->find("time budget"), std::string::npos);
  progress.count(IterationStatus::kAccepted);
  EXPECT_EQ(*stop_reason(rules, progress, 0), "2 replacements made (max_modified)");
}

// accept = "batch": a pending splice is in the model (a replacement, and a
// gain for patience); a reverted one is a slot without gain.
TEST(StopRules, PendingSplicesCountAsReplacementsAndRevertedOnesAsNoGain) {
  const StopRules rules{2, 2, 0};
  LoopProgress progress;
  progress.count(IterationStatus::kNoGain);
  progress.count(IterationStatus::kPending);
  EXPECT_EQ(progress.modified(), 1);
  EXPECT_EQ(progress.without_gain(), 0);
  progress.count(IterationStatus::kPending);
  EXPECT_EQ(*stop_reason(rules, progress, 0), "2 replacements made (max_modified)");
  LoopProgress reverted;
  reverted.count(IterationStatus::kReverted);
  reverted.count(IterationStatus::kReverted);
  EXPECT_EQ(reverted.modified(), 0);
  EXPECT_NE(stop_reason(rules, reverted, 0)->find("patience"), std::string::npos);
}

TEST(Ranking, APendingSpliceDoesNotDeferItsKindButARevertedOneDoes) {
  std::vector<IterationRecord> done = {searched("dw1", "dwconv3x3", IterationStatus::kPending)};
  EXPECT_EQ(next_slot(mixed_order(), done, SlotOrder::kDeferFailedKinds)->path, "dw2");
  done = {searched("dw1", "dwconv3x3", IterationStatus::kReverted)};
  EXPECT_EQ(next_slot(mixed_order(), done, SlotOrder::kDeferFailedKinds)->path, "pw1");
}

}  // namespace
}  // namespace gos::adapt
