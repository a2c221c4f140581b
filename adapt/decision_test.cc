#include "adapt/decision.h"

#include <gtest/gtest.h>

#include <cmath>

namespace gos::adapt {
namespace {

const std::string kSeed = "seed";

TEST(ChooseCandidate, TakesTheFastestFeasibleNonSeedThatBeatsTheSeedByMinGain) {
  const std::vector<FrontEntry> front = {
      {kSeed, 10.0, 100, 0.0, true},  // the seed is never chosen
      {"a", 9.0, 90, 0.5, true},
      {"b", 8.0, 80, 2.0, false},  // fastest, but infeasible
      {"c", 9.0, 70, 0.2, true},   // ties with a: fewer parameters win
  };
  const Choice choice = choose_candidate(front, {}, kSeed, 10.0, 0.05, 1.0);
  ASSERT_TRUE(choice.chosen);
  EXPECT_EQ(choice.chosen->genome, "c");
  EXPECT_EQ(choice.front, front);
}

TEST(ChooseCandidate, AGainBelowMinGainIsNoGain) {
  // 0.4% faster than the seed: within the noise of the comparison.
  const std::vector<FrontEntry> front = {{kSeed, 10.0, 100, 0, true}, {"a", 9.96, 90, 0.1, true}};
  const std::vector<CandidateRow> rows = {{kSeed, 10.0, 100, 0, true}, {"a", 9.96, 90, 0.1, true}};
  Choice choice = choose_candidate(front, rows, kSeed, 10.0, 0.01, 1.0);
  EXPECT_FALSE(choice.chosen);
  EXPECT_EQ(choice.status, IterationStatus::kNoGain);
  EXPECT_NE(choice.reason.find("1% faster"), std::string::npos) << choice.reason;
  // Without a minimum gain it is taken; a tie never is.
  EXPECT_TRUE(choose_candidate(front, rows, kSeed, 10.0, 0.0, 1.0).chosen);
  const Choice tie = choose_candidate(front, rows, kSeed, 9.96, 0.0, 1.0);
  EXPECT_FALSE(tie.chosen);
  EXPECT_NE(tie.reason.find("no feasible candidate is faster than the seed's 9.960 ms"), std::string::npos)
      << tie.reason;
}

TEST(ChooseCandidate, WithoutFeasibleCandidatesRecordsTheFiveLeastDropping) {
  std::vector<CandidateRow> rows = {{kSeed, 10, 100, 0, true}};
  for (int i = 0; i < 8; ++i) rows.push_back({"g" + std::to_string(i), 5, 50, 9.0 - i, false});
  rows.push_back({"failed", 0, 0, -5, false, true});
  rows.push_back({"g7", 5, 50, 2.0, false, false, true});  // a cached repeat is not listed twice
  const Choice choice = choose_candidate({{kSeed, 10, 100, 0, true}}, rows, kSeed, 10, 0.01, 1.0);
  EXPECT_FALSE(choice.chosen);
  EXPECT_EQ(choice.status, IterationStatus::kInfeasible);
  ASSERT_EQ(choice.front.size(), 5u);
  EXPECT_EQ(choice.front[0].genome, "g7");
  EXPECT_DOUBLE_EQ(choice.front[0].accuracy_drop, 2.0);
  for (const FrontEntry& entry : choice.front) EXPECT_FALSE(entry.feasible);
  EXPECT_NE(choice.reason.find("best accuracy drop 2.00"), std::string::npos) << choice.reason;
  EXPECT_EQ(choose_candidate({}, {}, kSeed, 10, 0.01, 1.0).reason, "every candidate failed to evaluate");
}

TEST(DecideSplice, AcceptsOnlyWithinEpsilonAndAtLeastMinGainFaster) {
  const Decision accepted = decide_splice({70.0, 69.5, 10.0, 9.0}, 1.0, 0.02);
  EXPECT_EQ(accepted.status, IterationStatus::kAccepted);
  EXPECT_NE(accepted.reason.find("10.0% faster"), std::string::npos) << accepted.reason;

  const Decision dropped = decide_splice({70.0, 68.5, 10.0, 5.0}, 1.0, 0.02);
  EXPECT_EQ(dropped.status, IterationStatus::kRejected);
  EXPECT_NE(dropped.reason.find("drops 1.50 points > epsilon 1"), std::string::npos) << dropped.reason;

  // 0.4% faster is within measurement noise: not spliced at min_gain 2%, spliced at 0.
  EXPECT_EQ(decide_splice({70.0, 70.0, 10.0, 9.96}, 1.0, 0.02).status, IterationStatus::kNoGain);
  EXPECT_EQ(decide_splice({70.0, 70.0, 10.0, 9.96}, 1.0, 0.0).status, IterationStatus::kAccepted);
  const Decision tie = decide_splice({70.0, 70.0, 10.0, 10.0}, 1.0, 0.0);
  EXPECT_EQ(tie.status, IterationStatus::kNoGain);
  EXPECT_NE(tie.reason.find("10.000 ms is not below 10.000 ms"), std::string::npos) << tie.reason;
  EXPECT_NE(decide_splice({70.0, 70.0, 10.0, 9.96}, 1.0, 0.02).reason.find("is not 2% below"), std::string::npos);
  // Exactly epsilon is allowed; a NaN accuracy is not.
  EXPECT_EQ(decide_splice({70.0, 69.0, 10.0, 5.0}, 1.0, 0.02).status, IterationStatus::kAccepted);
  EXPECT_EQ(decide_splice({70.0, std::nan(""), 10.0, 5.0}, 1.0, 0.02).status, IterationStatus::kRejected);
}

// Under accept = "batch" a single splice needs only be faster; the batch
// carries min_gain.
TEST(DecideSplice, TheBatchRuleAsksOfEachSpliceOnlyThatItIsFaster) {
  EXPECT_DOUBLE_EQ(splice_min_gain(AcceptRule::kEachSplice, 0.02), 0.02);
  EXPECT_DOUBLE_EQ(splice_min_gain(AcceptRule::kBatch, 0.02), 0.0);
  EXPECT_EQ(decide_splice({70.0, 70.0, 10.0, 9.96}, 1.0, splice_min_gain(AcceptRule::kBatch, 0.02)).status,
            IterationStatus::kAccepted);
}

TEST(DecideBatch, ConfirmsOnceThePendingSplicesTogetherReachMinGain) {
  // Three 0.8% steps: open, open, then 2.4% >= 2%.
  BatchDecision d = decide_batch({10.0, 9.92, 1}, 0.02, 3);
  EXPECT_EQ(d.verdict, BatchVerdict::kKeepOpen);
  EXPECT_NE(d.reason.find("1 pending: 10.000 -> 9.920 ms (+0.8%)"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("needs 2%"), std::string::npos) << d.reason;
  EXPECT_EQ(decide_batch({10.0, 9.84, 2}, 0.02, 3).verdict, BatchVerdict::kKeepOpen);
  d = decide_batch({10.0, 9.76, 3}, 0.02, 3);
  EXPECT_EQ(d.verdict, BatchVerdict::kConfirm);
  EXPECT_NE(d.reason.find("batch confirmed, 3 pending"), std::string::npos) << d.reason;
  // Exactly min_gain confirms; a single splice that reaches it confirms alone.
  EXPECT_EQ(decide_batch({10.0, 9.8, 1}, 0.02, 3).verdict, BatchVerdict::kConfirm);
}

TEST(DecideBatch, RevertsWhenMaxPendingIsReachedWithoutTheGain) {
  BatchDecision d = decide_batch({10.0, 9.9, 3}, 0.02, 3);
  EXPECT_EQ(d.verdict, BatchVerdict::kRevert);
  EXPECT_NE(d.reason.find("is not 2% after max_pending 3 splices"), std::string::npos) << d.reason;
  // Slower together than apart (the small gains were noise): reverted too.
  EXPECT_EQ(decide_batch({10.0, 10.3, 2}, 0.02, 2).verdict, BatchVerdict::kRevert);
  // With min_gain 0 any strict gain confirms, a tie does not.
  EXPECT_EQ(decide_batch({10.0, 9.999, 1}, 0.0, 1).verdict, BatchVerdict::kConfirm);
  EXPECT_EQ(decide_batch({10.0, 10.0, 1}, 0.0, 1).verdict, BatchVerdict::kRevert);
  EXPECT_EQ(decide_batch({10.0, std::nan(""), 1}, 0.0, 2).verdict, BatchVerdict::kKeepOpen);
}

}  // namespace
}  // namespace gos::adapt
