#include "plugins/devices/remote/transport.h"

#include <fmt/format.h>

#include "plugins/devices/remote/asio.h"
#include "plugins/devices/remote/auth.h"

namespace gos::remote {
namespace {

const Tag kZeroTag{};

// A handshake frame of the expected type; an agent's error reply becomes an
// AuthenticationError carrying its message.
void expect(const Frame& frame, MessageType type, const Limits& limits) {
  if (frame.header.type == type) return;
  if (frame.header.type == MessageType::kError) {
    const ErrorReply error = decode_error(frame.payload, limits);
    if (error.code == ErrorCode::kBusy) throw ProtocolError("agent is busy: " + error.message);
    throw AuthenticationError(error.message);
  }
  throw ProtocolError(
      fmt::format("expected a {} message during the handshake, got {}", to_string(type), to_string(frame.header.type)));
}

}  // namespace

asio::awaitable<FrameHeader> Channel::read_header() {
  std::array<uint8_t, kHeaderSize> head{};
  co_await asio::async_read(socket_, asio::buffer(head), asio::use_awaitable);
  co_return decode_header(head.data(), limits_);
}

asio::awaitable<Frame> Channel::read_body(const FrameHeader& header) {
  Frame frame;
  frame.header = header;
  frame.payload.resize(header.length);
  if (header.length) co_await asio::async_read(socket_, asio::buffer(frame.payload), asio::use_awaitable);
  co_await asio::async_read(socket_, asio::buffer(frame.tag), asio::use_awaitable);
  const Tag expected = key_.empty() ? kZeroTag : frame_tag(key_, frame.header, frame.payload);
  if (!tags_equal(frame.tag, expected))
    throw ProtocolError(fmt::format("{} message with a wrong authentication tag", to_string(header.type)));
  co_return frame;
}

asio::awaitable<Frame> Channel::read() {
  const FrameHeader header = co_await read_header();
  co_return co_await read_body(header);
}

asio::awaitable<void> Channel::write(MessageType type, uint64_t seq, std::string payload) {
  if (payload.size() > limits_.max_payload)
    throw ProtocolError(fmt::format("{} message of {} bytes is over the limit of {} bytes", to_string(type),
                                    payload.size(), limits_.max_payload));
  Frame frame;
  frame.header = {type, seq, static_cast<uint32_t>(payload.size())};
  frame.payload = std::move(payload);
  if (!key_.empty()) frame.tag = frame_tag(key_, frame.header, frame.payload);
  const std::string bytes = encode_frame(frame);
  co_await asio::async_write(socket_, asio::buffer(bytes), asio::use_awaitable);
}

asio::awaitable<void> client_handshake(Channel& channel, const std::string& token) {
  const Nonce client = random_nonce();
  // Named arguments only, in every co_await here: GCC 12 can destroy a
  // temporary of a co_await expression twice.
  std::string hello = encode_nonce(client);
  co_await channel.write(MessageType::kHello, 0, std::move(hello));
  Frame challenge = co_await channel.read();
  expect(challenge, MessageType::kChallenge, channel.limits());
  const Nonce agent = decode_nonce(challenge.payload, channel.limits(), MessageType::kChallenge);
  std::string auth = encode_tag_payload(client_proof(token, client, agent));
  co_await channel.write(MessageType::kAuth, 0, std::move(auth));
  Frame welcome = co_await channel.read();
  expect(welcome, MessageType::kWelcome, channel.limits());
  if (!tags_equal(decode_tag_payload(welcome.payload, channel.limits(), MessageType::kWelcome),
                  agent_proof(token, client, agent)))
    throw AuthenticationError("the agent does not hold the same token (its proof is wrong)");
  channel.start_session(session_key(token, client, agent));
}

asio::awaitable<void> agent_handshake(Channel& channel, const std::string& token) {
  Frame hello = co_await channel.read();
  if (hello.header.type != MessageType::kHello)
    throw ProtocolError(fmt::format("expected hello, got {}", to_string(hello.header.type)));
  const Nonce client = decode_nonce(hello.payload, channel.limits(), MessageType::kHello);
  const Nonce agent = random_nonce();
  std::string challenge = encode_nonce(agent);
  co_await channel.write(MessageType::kChallenge, 0, std::move(challenge));
  Frame auth = co_await channel.read();
  if (auth.header.type != MessageType::kAuth)
    throw ProtocolError(fmt::format("expected auth, got {}", to_string(auth.header.type)));
  if (!tags_equal(decode_tag_payload(auth.payload, channel.limits(), MessageType::kAuth),
                  client_proof(token, client, agent))) {
    std::string refusal = encode_error({ErrorCode::kBadRequest, "authentication failed: wrong token"});
    co_await channel.write(MessageType::kError, 0, std::move(refusal));
    throw AuthenticationError("wrong token");
  }
  std::string welcome = encode_tag_payload(agent_proof(token, client, agent));
  co_await channel.write(MessageType::kWelcome, 0, std::move(welcome));
  channel.start_session(session_key(token, client, agent));
}

}  // namespace gos::remote
