// The MPI message bodies round-trip, refuse truncated input, and the
// identity check names the rank and what differs.
#include "mpi/messages.h"

#include <gmock/gmock.h>

#include <cmath>

#include "framework/error.h"

namespace gos::mpi {
namespace {

using ::testing::HasSubstr;

Identity identity(int rank) {
  return {
      rank, "node" + std::to_string(rank), "exp.toml", "", "abc123", {{"gos", "11"}, {"libgos_framework.so", "22"}}};
}

TEST(MpiMessages, EvaluateReplyRoundTripsEveryRecordField) {
  EvaluateReply reply;
  reply.index = 7;
  reply.record.values = {1.5, std::nan(""), -0.0};
  reply.record.violation = 0.25;
  reply.record.seconds = 3.5;
  reply.record.failed = true;
  reply.record.error = "objective 'x' returned nan";
  const EvaluateReply back = decode_evaluate_reply(encode(reply));
  EXPECT_EQ(back.index, 7u);
  EXPECT_FALSE(back.device_lost);
  EXPECT_EQ(back.record.values[0], 1.5);
  EXPECT_TRUE(std::isnan(back.record.values[1]));
  EXPECT_TRUE(std::signbit(back.record.values[2]));
  EXPECT_EQ(back.record.violation, 0.25);
  EXPECT_EQ(back.record.seconds, 3.5);
  EXPECT_TRUE(back.record.failed);
  EXPECT_EQ(back.record.error, reply.record.error);
}

TEST(MpiMessages, RequestsAndIdentitiesRoundTrip) {
  const EvaluateRequest request = decode_evaluate_request(encode(EvaluateRequest{3, 12, "0.1,0.2"}));
  EXPECT_EQ(request.index, 3u);
  EXPECT_EQ(request.generation, 12);
  EXPECT_EQ(request.genome, "0.1,0.2");
  const Identity back = decode_identity(encode(identity(2)));
  EXPECT_EQ(back.host, "node2");
  EXPECT_EQ(back.work, "abc123");
  EXPECT_EQ(back.build, identity(2).build);
  const RunReply run = decode_run_reply(encode(RunReply{4, true, "boom"}));
  EXPECT_EQ(run.index, 4u);
  EXPECT_TRUE(run.failed);
  EXPECT_EQ(run.text, "boom");
  EXPECT_EQ(decode_run_request(encode(RunRequest{9})).index, 9u);
}

TEST(MpiMessages, TruncatedOrOverlongMessagesAreErrors) {
  const std::string bytes = encode(EvaluateRequest{3, 12, "0.1,0.2"});
  EXPECT_THROW(decode_evaluate_request(bytes.substr(0, bytes.size() - 1)), Error);
  EXPECT_THROW(decode_evaluate_request(bytes + "x"), Error);
  EXPECT_THROW(decode_evaluate_reply(""), Error);
}

TEST(MpiIdentity, AgreeingRanksHaveNoProblems) {
  EXPECT_EQ(identity_problems({identity(0), identity(1), identity(2)}), "");
}

TEST(MpiIdentity, NamesTheRankAndWhatDiffers) {
  Identity other_file = identity(1);
  other_file.file = "other.toml";
  other_file.work = "def456";
  Identity other_build = identity(2);
  other_build.build[1].second = "99";
  Identity broken = identity(3);
  broken.error = "exp.toml:9:1: unknown objective plugin 'probe'";
  const std::string problems = identity_problems({identity(0), other_file, other_build, broken});
  EXPECT_THAT(problems, HasSubstr("rank 1 (node1): runs another experiment: 'other.toml' resolves to def456, rank "
                                  "0's 'exp.toml' to abc123"));
  EXPECT_THAT(problems, HasSubstr("rank 2 (node2): runs another build of GOS or its plugins: libgos_framework.so has "
                                  "hash 99 here, 22 on rank 0"));
  EXPECT_THAT(problems, HasSubstr("rank 3 (node3): cannot build the experiment: exp.toml:9:1: unknown objective"));
}

TEST(MpiIdentity, HashIsStable) {
  // FNV-1a 64 of "a", as published: the same on every host.
  EXPECT_EQ(fnv1a_hex("a"), "af63dc4c8601ec8c");
}

}  // namespace
}  // namespace gos::mpi
