#pragma once
// The agent protocol: versioned, length-prefixed, authenticated frames.
//
// A frame is a fixed 24-byte header, a payload of at most Limits::max_payload
// bytes and a 32-byte tag:
//
//   magic "GOSA" | version u16 | type u16 | seq u64 | length u32 | reserved u32 (0)
//   payload[length] | tag[32]
//
// all integers little-endian. A connection opens with a challenge-response
// handshake on the shared token (HMAC-SHA256, fresh 32-byte nonces from both
// sides, see auth.h); every later frame is tagged with HMAC-SHA256 under a key
// derived from the token and both nonces, and numbered: requests count
// 1, 2, 3, ... and a response carries its request's number. A frame recorded in
// one session fails the tag check in any other, and a frame replayed within a
// session fails the sequence check.
//
// Decoding never trusts a length: everything is bounded and checked, and every
// malformed input is a ProtocolError naming what is wrong.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "framework/device.h"
#include "framework/error.h"

namespace gos::remote {

inline constexpr uint16_t kProtocolVersion = 1;
inline constexpr size_t kHeaderSize = 24;
inline constexpr size_t kTagSize = 32;
inline constexpr size_t kNonceSize = 32;

class ProtocolError : public Error {
 public:
  using Error::Error;
};

enum class MessageType : uint16_t {
  kHello = 1,      // client -> agent: client nonce
  kChallenge = 2,  // agent -> client: agent nonce
  kAuth = 3,       // client -> agent: client proof
  kWelcome = 4,    // agent -> client: agent proof
  kDescribe = 10,  // request: the device description
  kDescription = 11,
  kMeasure = 12,  // request: measure a workload spec
  kMeasured = 13,
  kError = 14,  // response: the request failed (see ErrorCode)
};
const char* to_string(MessageType type);

struct Limits {
  uint32_t max_payload = 1 << 20;   // bytes of one frame's payload
  uint32_t max_string = 256 << 10;  // bytes of one string field
  uint32_t max_list = 1 << 16;      // entries of one list or map field
};

using Tag = std::array<uint8_t, kTagSize>;
using Nonce = std::array<uint8_t, kNonceSize>;

struct FrameHeader {
  MessageType type = MessageType::kError;
  uint64_t seq = 0;
  uint32_t length = 0;
};

std::array<uint8_t, kHeaderSize> encode_header(const FrameHeader& header);
// Refuses a wrong magic, another protocol version, an unknown type, a length
// over limits.max_payload and a non-zero reserved field.
FrameHeader decode_header(const uint8_t* bytes, const Limits& limits);

// A whole frame as it travels. tag is all zero in handshake frames.
struct Frame {
  FrameHeader header;
  std::string payload;
  Tag tag{};
};
std::string encode_frame(const Frame& frame);
// Decodes one complete frame from `bytes` (exactly one, no trailing bytes).
Frame decode_frame(std::string_view bytes, const Limits& limits);

// Payload fields: little-endian integers, IEEE doubles, u32-length-prefixed
// strings, u32-counted lists.
class PayloadWriter {
 public:
  PayloadWriter& u8(uint8_t v);
  PayloadWriter& u32(uint32_t v);
  PayloadWriter& u64(uint64_t v);
  PayloadWriter& f64(double v);
  PayloadWriter& bytes(const uint8_t* data, size_t size);
  PayloadWriter& str(std::string_view v);
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class PayloadReader {
 public:
  PayloadReader(std::string_view payload, const Limits& limits, MessageType type)
      : in_(payload), limits_(limits), type_(type) {}
  uint8_t u8();
  uint32_t u32();
  uint64_t u64();
  double f64();  // refuses NaN and infinities
  void bytes(uint8_t* out, size_t size);
  std::string str();
  uint32_t count();  // a list length, at most limits.max_list
  // Refuses trailing bytes.
  void finish() const;

 private:
  const char* take(size_t size);
  std::string_view in_;
  size_t offset_ = 0;
  const Limits& limits_;
  MessageType type_;
};

// What a measure request carries: a WorkloadSpec as data (the space's
// validated table rendered as TOML by workload_wire.h).
struct WireWorkload {
  enum class Kind : uint8_t { kGenome = 0, kKernel = 1 };
  Kind kind = Kind::kGenome;
  std::string space_toml;  // "[search_space]\nplugin = ...\n..."
  std::string genome;
  std::string kernel_type;
  std::string kernel_key;
  double kernel_flops = 0;
  double kernel_params = 0;
  std::vector<double> kernel_features;
};

enum class ErrorCode : uint8_t {
  kBadRequest = 1,         // the request could not be decoded or built
  kMeasurementFailed = 2,  // the device refused the workload (not repeatable, unsupported)
  kBusy = 3,               // too many clients
};

struct ErrorReply {
  ErrorCode code = ErrorCode::kBadRequest;
  std::string message;
};

std::string encode_nonce(const Nonce& nonce);
Nonce decode_nonce(std::string_view payload, const Limits& limits, MessageType type);
std::string encode_tag_payload(const Tag& tag);
Tag decode_tag_payload(std::string_view payload, const Limits& limits, MessageType type);
std::string encode_workload(const WireWorkload& workload);
WireWorkload decode_workload(std::string_view payload, const Limits& limits);
std::string encode_device_info(const DeviceInfo& info);
DeviceInfo decode_device_info(std::string_view payload, const Limits& limits);
std::string encode_measurement(const Measurement& measurement);
Measurement decode_measurement(std::string_view payload, const Limits& limits);
std::string encode_error(const ErrorReply& error);
ErrorReply decode_error(std::string_view payload, const Limits& limits);

}  // namespace gos::remote
