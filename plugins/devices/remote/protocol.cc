#include "plugins/devices/remote/protocol.h"

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <cstring>

namespace gos::remote {
namespace {

constexpr char kMagic[4] = {'G', 'O', 'S', 'A'};

void put_le(uint8_t* out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out[i] = static_cast<uint8_t>(value >> (8 * i));
}

uint64_t get_le(const uint8_t* in, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value |= static_cast<uint64_t>(in[i]) << (8 * i);
  return value;
}

bool known_type(uint16_t type) {
  switch (static_cast<MessageType>(type)) {
    case MessageType::kHello:
    case MessageType::kChallenge:
    case MessageType::kAuth:
    case MessageType::kWelcome:
    case MessageType::kDescribe:
    case MessageType::kDescription:
    case MessageType::kMeasure:
    case MessageType::kMeasured:
    case MessageType::kError:
      return true;
  }
  return false;
}

}  // namespace

const char* to_string(MessageType type) {
  switch (type) {
    case MessageType::kHello:
      return "hello";
    case MessageType::kChallenge:
      return "challenge";
    case MessageType::kAuth:
      return "auth";
    case MessageType::kWelcome:
      return "welcome";
    case MessageType::kDescribe:
      return "describe";
    case MessageType::kDescription:
      return "description";
    case MessageType::kMeasure:
      return "measure";
    case MessageType::kMeasured:
      return "measured";
    case MessageType::kError:
      return "error";
  }
  return "unknown";
}

std::array<uint8_t, kHeaderSize> encode_header(const FrameHeader& header) {
  std::array<uint8_t, kHeaderSize> out{};
  std::memcpy(out.data(), kMagic, 4);
  put_le(out.data() + 4, kProtocolVersion, 2);
  put_le(out.data() + 6, static_cast<uint16_t>(header.type), 2);
  put_le(out.data() + 8, header.seq, 8);
  put_le(out.data() + 16, header.length, 4);
  put_le(out.data() + 20, 0, 4);
  return out;
}

FrameHeader decode_header(const uint8_t* bytes, const Limits& limits) {
  if (std::memcmp(bytes, kMagic, 4) != 0) throw ProtocolError("not a GOS agent frame (bad magic)");
  const auto version = static_cast<uint16_t>(get_le(bytes + 4, 2));
  if (version != kProtocolVersion)
    throw ProtocolError(
        fmt::format("protocol version {} (this build speaks version {}); build the same GOS "
                    "version on both ends",
                    version, kProtocolVersion));
  const auto type = static_cast<uint16_t>(get_le(bytes + 6, 2));
  if (!known_type(type)) throw ProtocolError(fmt::format("unknown message type {}", type));
  FrameHeader header;
  header.type = static_cast<MessageType>(type);
  header.seq = get_le(bytes + 8, 8);
  header.length = static_cast<uint32_t>(get_le(bytes + 16, 4));
  if (header.length > limits.max_payload)
    throw ProtocolError(fmt::format("{} message of {} bytes is over the limit of {} bytes", to_string(header.type),
                                    header.length, limits.max_payload));
  if (get_le(bytes + 20, 4) != 0) throw ProtocolError("reserved header field is not zero");
  return header;
}

std::string encode_frame(const Frame& frame) {
  FrameHeader header = frame.header;
  header.length = static_cast<uint32_t>(frame.payload.size());
  const auto head = encode_header(header);
  std::string out(reinterpret_cast<const char*>(head.data()), head.size());
  out += frame.payload;
  out.append(reinterpret_cast<const char*>(frame.tag.data()), frame.tag.size());
  return out;
}

Frame decode_frame(std::string_view bytes, const Limits& limits) {
  if (bytes.size() < kHeaderSize + kTagSize)
    throw ProtocolError(
        fmt::format("truncated frame: {} bytes, a frame has at least {}", bytes.size(), kHeaderSize + kTagSize));
  Frame frame;
  frame.header = decode_header(reinterpret_cast<const uint8_t*>(bytes.data()), limits);
  const size_t expected = kHeaderSize + frame.header.length + kTagSize;
  if (bytes.size() != expected)
    throw ProtocolError(fmt::format("{} frame of {} bytes, its header announces {}", to_string(frame.header.type),
                                    bytes.size(), expected));
  frame.payload.assign(bytes.substr(kHeaderSize, frame.header.length));
  std::memcpy(frame.tag.data(), bytes.data() + kHeaderSize + frame.header.length, kTagSize);
  return frame;
}

PayloadWriter& PayloadWriter::u8(uint8_t v) {
  out_.push_back(static_cast<char>(v));
  return *this;
}

PayloadWriter& PayloadWriter::u32(uint32_t v) {
  uint8_t b[4];
  put_le(b, v, 4);
  return bytes(b, 4);
}

PayloadWriter& PayloadWriter::u64(uint64_t v) {
  uint8_t b[8];
  put_le(b, v, 8);
  return bytes(b, 8);
}

PayloadWriter& PayloadWriter::f64(double v) { return u64(std::bit_cast<uint64_t>(v)); }

PayloadWriter& PayloadWriter::bytes(const uint8_t* data, size_t size) {
  out_.append(reinterpret_cast<const char*>(data), size);
  return *this;
}

PayloadWriter& PayloadWriter::str(std::string_view v) {
  u32(static_cast<uint32_t>(v.size()));
  out_.append(v);
  return *this;
}

const char* PayloadReader::take(size_t size) {
  if (size > in_.size() - offset_)
    throw ProtocolError(fmt::format("truncated {} message: {} more bytes needed at offset {} of {}", to_string(type_),
                                    size, offset_, in_.size()));
  const char* at = in_.data() + offset_;
  offset_ += size;
  return at;
}

uint8_t PayloadReader::u8() { return static_cast<uint8_t>(*take(1)); }
uint32_t PayloadReader::u32() { return static_cast<uint32_t>(get_le(reinterpret_cast<const uint8_t*>(take(4)), 4)); }
uint64_t PayloadReader::u64() { return get_le(reinterpret_cast<const uint8_t*>(take(8)), 8); }

double PayloadReader::f64() {
  const double v = std::bit_cast<double>(u64());
  if (!std::isfinite(v)) throw ProtocolError(fmt::format("{} message holds a non-finite number", to_string(type_)));
  return v;
}

void PayloadReader::bytes(uint8_t* out, size_t size) { std::memcpy(out, take(size), size); }

std::string PayloadReader::str() {
  const uint32_t size = u32();
  if (size > limits_.max_string)
    throw ProtocolError(fmt::format("{} message holds a string of {} bytes, over the limit of {}", to_string(type_),
                                    size, limits_.max_string));
  return std::string(take(size), size);
}

uint32_t PayloadReader::count() {
  const uint32_t n = u32();
  if (n > limits_.max_list)
    throw ProtocolError(fmt::format("{} message holds a list of {} entries, over the limit of {}", to_string(type_), n,
                                    limits_.max_list));
  return n;
}

void PayloadReader::finish() const {
  if (offset_ != in_.size())
    throw ProtocolError(
        fmt::format("{} message has {} unexpected trailing bytes", to_string(type_), in_.size() - offset_));
}

std::string encode_nonce(const Nonce& nonce) { return PayloadWriter().bytes(nonce.data(), nonce.size()).take(); }

Nonce decode_nonce(std::string_view payload, const Limits& limits, MessageType type) {
  PayloadReader in(payload, limits, type);
  Nonce nonce;
  in.bytes(nonce.data(), nonce.size());
  in.finish();
  return nonce;
}

std::string encode_tag_payload(const Tag& tag) { return PayloadWriter().bytes(tag.data(), tag.size()).take(); }

Tag decode_tag_payload(std::string_view payload, const Limits& limits, MessageType type) {
  PayloadReader in(payload, limits, type);
  Tag tag;
  in.bytes(tag.data(), tag.size());
  in.finish();
  return tag;
}

std::string encode_workload(const WireWorkload& w) {
  PayloadWriter out;
  out.u8(static_cast<uint8_t>(w.kind)).str(w.space_toml).str(w.genome).str(w.kernel_type).str(w.kernel_key);
  out.f64(w.kernel_flops).f64(w.kernel_params).u32(static_cast<uint32_t>(w.kernel_features.size()));
  for (double f : w.kernel_features) out.f64(f);
  return out.take();
}

WireWorkload decode_workload(std::string_view payload, const Limits& limits) {
  PayloadReader in(payload, limits, MessageType::kMeasure);
  WireWorkload w;
  const uint8_t kind = in.u8();
  if (kind > 1) throw ProtocolError(fmt::format("measure message names workload kind {} (0: genome, 1: kernel)", kind));
  w.kind = static_cast<WireWorkload::Kind>(kind);
  w.space_toml = in.str();
  w.genome = in.str();
  w.kernel_type = in.str();
  w.kernel_key = in.str();
  w.kernel_flops = in.f64();
  w.kernel_params = in.f64();
  const uint32_t n = in.count();
  w.kernel_features.reserve(n);
  for (uint32_t i = 0; i < n; ++i) w.kernel_features.push_back(in.f64());
  in.finish();
  return w;
}

std::string encode_device_info(const DeviceInfo& info) {
  PayloadWriter out;
  out.str(info.name).u32(static_cast<uint32_t>(info.properties.size()));
  for (const auto& [key, value] : info.properties) out.str(key).str(value);
  return out.take();
}

DeviceInfo decode_device_info(std::string_view payload, const Limits& limits) {
  PayloadReader in(payload, limits, MessageType::kDescription);
  DeviceInfo info;
  info.name = in.str();
  const uint32_t n = in.count();
  for (uint32_t i = 0; i < n; ++i) {
    std::string key = in.str();
    info.properties[key] = in.str();
  }
  in.finish();
  return info;
}

std::string encode_measurement(const Measurement& m) {
  return PayloadWriter().f64(m.median_ms).f64(m.iqr_ms).f64(m.cv).u32(static_cast<uint32_t>(m.runs)).take();
}

Measurement decode_measurement(std::string_view payload, const Limits& limits) {
  PayloadReader in(payload, limits, MessageType::kMeasured);
  Measurement m;
  m.median_ms = in.f64();
  m.iqr_ms = in.f64();
  m.cv = in.f64();
  m.runs = static_cast<int>(in.u32());
  in.finish();
  if (m.median_ms < 0 || m.iqr_ms < 0 || m.runs < 0)
    throw ProtocolError(fmt::format("measured message holds a negative latency ({} ms)", m.median_ms));
  return m;
}

std::string encode_error(const ErrorReply& error) {
  return PayloadWriter().u8(static_cast<uint8_t>(error.code)).str(error.message).take();
}

ErrorReply decode_error(std::string_view payload, const Limits& limits) {
  PayloadReader in(payload, limits, MessageType::kError);
  ErrorReply error;
  const uint8_t code = in.u8();
  if (code < 1 || code > 3) throw ProtocolError(fmt::format("error message with unknown code {}", code));
  error.code = static_cast<ErrorCode>(code);
  error.message = in.str();
  in.finish();
  return error;
}

}  // namespace gos::remote
