// The message decoder and authentication, without a network.
#include "plugins/devices/remote/protocol.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include "plugins/devices/remote/auth.h"

namespace gos::remote {
namespace {

std::string hex(const Tag& tag) {
  std::string out;
  for (uint8_t b : tag) out += "0123456789abcdef"[b >> 4], out += "0123456789abcdef"[b & 15];
  return out;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ProtocolError& e) {
    return e.what();
  }
  return "no error";
}

WireWorkload sample_workload() {
  WireWorkload w;
  w.kind = WireWorkload::Kind::kKernel;
  w.space_toml = "[search_space]\nplugin = \"cnn_chain\"\n";
  w.genome = "";
  w.kernel_type = "conv";
  w.kernel_key = "conv:3x3:16->32@32";
  w.kernel_flops = 1.5e6;
  w.kernel_params = 4608;
  w.kernel_features = {3, 16, 32, 32};
  return w;
}

TEST(Protocol, MessagesRoundTrip) {
  const Limits limits;
  const WireWorkload w = sample_workload();
  const WireWorkload back = decode_workload(encode_workload(w), limits);
  EXPECT_EQ(back.kind, w.kind);
  EXPECT_EQ(back.space_toml, w.space_toml);
  EXPECT_EQ(back.kernel_key, w.kernel_key);
  EXPECT_EQ(back.kernel_features, w.kernel_features);
  EXPECT_EQ(back.kernel_flops, w.kernel_flops);

  const DeviceInfo info{"cpu", {{"cores", "4"}, {"model", "Cortex-A72"}}};
  const DeviceInfo info_back = decode_device_info(encode_device_info(info), limits);
  EXPECT_EQ(info_back.name, "cpu");
  EXPECT_EQ(info_back.properties, info.properties);

  const Measurement m{1.25, 0.125, 0.03, 30};
  const Measurement m_back = decode_measurement(encode_measurement(m), limits);
  EXPECT_EQ(m_back.median_ms, 1.25);
  EXPECT_EQ(m_back.runs, 30);

  const ErrorReply e = decode_error(encode_error({ErrorCode::kBusy, "later"}), limits);
  EXPECT_EQ(e.code, ErrorCode::kBusy);
  EXPECT_EQ(e.message, "later");

  Frame frame{{MessageType::kMeasure, 7, 0}, encode_workload(w), {}};
  frame.tag[0] = 9;
  const Frame frame_back = decode_frame(encode_frame(frame), limits);
  EXPECT_EQ(frame_back.header.type, MessageType::kMeasure);
  EXPECT_EQ(frame_back.header.seq, 7u);
  EXPECT_EQ(frame_back.payload, frame.payload);
  EXPECT_EQ(frame_back.tag, frame.tag);
}

TEST(Protocol, RefusesBadHeaders) {
  const Limits limits;
  auto header = [](const FrameHeader& h) { return encode_header(h); };
  auto bytes = header({MessageType::kDescribe, 1, 0});
  bytes[0] = 'X';
  EXPECT_NE(error_of([&] { decode_header(bytes.data(), limits); }).find("bad magic"), std::string::npos);
  bytes = header({MessageType::kDescribe, 1, 0});
  bytes[4] = 9;
  EXPECT_NE(error_of([&] { decode_header(bytes.data(), limits); }).find("protocol version 9"), std::string::npos);
  bytes = header({MessageType::kDescribe, 1, 0});
  bytes[6] = 99;
  EXPECT_NE(error_of([&] { decode_header(bytes.data(), limits); }).find("unknown message type 99"), std::string::npos);
  bytes = header({MessageType::kMeasure, 1, limits.max_payload + 1});
  EXPECT_NE(error_of([&] { decode_header(bytes.data(), limits); }).find("over the limit"), std::string::npos);
  bytes = header({MessageType::kMeasure, 1, 0});
  bytes[23] = 1;
  EXPECT_NE(error_of([&] { decode_header(bytes.data(), limits); }).find("reserved"), std::string::npos);
}

TEST(Protocol, RefusesTruncatedOversizeAndTrailingPayloads) {
  Limits limits;
  const std::string payload = encode_workload(sample_workload());
  for (size_t size = 0; size < payload.size(); ++size)
    EXPECT_NE(error_of([&] { decode_workload(payload.substr(0, size), limits); }).find("truncated"), std::string::npos)
        << size;
  EXPECT_NE(error_of([&] { decode_workload(payload + "x", limits); }).find("trailing"), std::string::npos);
  limits.max_string = 8;
  EXPECT_NE(error_of([&] { decode_workload(payload, limits); }).find("string of"), std::string::npos);
  limits = Limits{};
  limits.max_list = 2;
  EXPECT_NE(error_of([&] { decode_workload(payload, limits); }).find("list of 4 entries"), std::string::npos);
  // A string length of 4 GiB in a small message is truncation, not an allocation.
  std::string huge = payload;
  huge[1] = huge[2] = huge[3] = huge[4] = '\xff';
  EXPECT_NE(error_of([&] {
              decode_workload(huge, Limits{.max_payload = 1 << 20, .max_string = 0xffffffff});
            }).find("truncated"),
            std::string::npos);
  std::string frame = encode_frame({{MessageType::kMeasure, 1, 0}, payload, {}});
  EXPECT_NE(error_of([&] { decode_frame(frame.substr(0, frame.size() - 1), Limits{}); }).find("header announces"),
            std::string::npos);
  EXPECT_NE(error_of([&] { decode_frame(frame.substr(0, 10), Limits{}); }).find("truncated frame"), std::string::npos);
  Measurement nan_latency{std::nan(""), 0, 0, 1};
  EXPECT_NE(error_of([&] { decode_measurement(encode_measurement(nan_latency), Limits{}); }).find("non-finite"),
            std::string::npos);
}

// Deterministic random garbage into every decoder: refused with a
// ProtocolError, never a crash, a hang or another exception.
TEST(Protocol, GarbageIsRefusedNeverCrashes) {
  std::mt19937_64 rng(18);
  const Limits limits{.max_payload = 4096, .max_string = 1024, .max_list = 64};
  const std::string valid = encode_workload(sample_workload());
  size_t accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes;
    if (i % 2 == 0) {
      bytes.resize(rng() % 200);
      for (char& c : bytes) c = static_cast<char>(rng());
    } else {  // a valid message with a few bytes flipped, to get past the first checks
      bytes = valid;
      for (int flips = 1 + static_cast<int>(rng() % 4); flips > 0; --flips)
        bytes[rng() % bytes.size()] = static_cast<char>(rng());
    }
    for (auto decode : std::initializer_list<std::function<void()>>{
             [&] { decode_workload(bytes, limits); }, [&] { decode_device_info(bytes, limits); },
             [&] { decode_measurement(bytes, limits); }, [&] { decode_error(bytes, limits); },
             [&] { decode_frame(bytes, limits); }, [&] { decode_nonce(bytes, limits, MessageType::kHello); }}) {
      try {
        decode();
        ++accepted;
      } catch (const ProtocolError&) {
      }
    }
  }
  // Flipped bytes inside strings still decode; most garbage does not.
  EXPECT_GT(accepted, 0u);
  EXPECT_LT(accepted, 20000u * 6 / 2);
}

TEST(Auth, HmacSha256MatchesRfc4231) {
  EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Auth, ProofsDependOnTokenAndBothNonces) {
  const Nonce a = random_nonce(), b = random_nonce();
  EXPECT_NE(a, b);
  const std::string token = "0123456789abcdef0123";
  EXPECT_TRUE(tags_equal(client_proof(token, a, b), client_proof(token, a, b)));
  EXPECT_FALSE(tags_equal(client_proof(token, a, b), client_proof(token, b, a)));
  EXPECT_FALSE(tags_equal(client_proof(token, a, b), client_proof("another-token-0000", a, b)));
  EXPECT_FALSE(tags_equal(client_proof(token, a, b), agent_proof(token, a, b)));
  EXPECT_NE(session_key(token, a, b), session_key(token, a, random_nonce()));
  const FrameHeader h{MessageType::kMeasure, 3, 5};
  const std::string key = session_key(token, a, b);
  EXPECT_TRUE(tags_equal(frame_tag(key, h, "hello"), frame_tag(key, h, "hello")));
  EXPECT_FALSE(tags_equal(frame_tag(key, h, "hello"), frame_tag(key, {MessageType::kMeasure, 4, 5}, "hello")));
  EXPECT_FALSE(tags_equal(frame_tag(key, h, "hello"), frame_tag(key, h, "hellp")));
}

TEST(Auth, TokenFiles) {
  const auto dir = std::filesystem::path(GOS_BINARY_DIR) / "test-output" / "remote_protocol_test";
  std::filesystem::create_directories(dir);
  const auto file = dir / "agent.token";
  std::filesystem::remove(file);
  write_new_token_file(file);
  std::string warnings;
  const std::string token = read_token_file(file, &warnings);
  EXPECT_EQ(token.size(), 64u);
  EXPECT_EQ(warnings, "");
  EXPECT_EQ((std::filesystem::status(file).permissions() & std::filesystem::perms::all),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_THROW(write_new_token_file(file), Error);  // never overwrites
  auto error = [&](const std::string& text) {
    std::ofstream(dir / "bad.token") << text;
    try {
      read_token_file(dir / "bad.token");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error("  \n").find("is empty"), std::string::npos);
  EXPECT_NE(error("short").find("at least 16"), std::string::npos);
  EXPECT_NE(error("0123456789abcdef\n").find("no error"), std::string::npos);
  EXPECT_THROW(read_token_file(dir / "missing.token"), Error);
}

}  // namespace
}  // namespace gos::remote
