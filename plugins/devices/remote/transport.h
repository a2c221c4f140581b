#pragma once
// Frames over a Boost.Asio TCP socket (C++20 coroutines), and the handshake
// of auth.h from both ends. Time-outs are the callers' business: the agent
// closes a connection whose deadline passed, the client bounds each call.
#include <string>

#include "plugins/devices/remote/asio.h"
#include "plugins/devices/remote/protocol.h"

namespace gos::remote {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// The agent said no to the token: a configuration error, not a lost device.
class AuthenticationError : public Error {
 public:
  using Error::Error;
};

class Channel {
 public:
  Channel(tcp::socket socket, Limits limits) : socket_(std::move(socket)), limits_(limits) {}
  tcp::socket& socket() { return socket_; }
  const Limits& limits() const { return limits_; }

  // A frame in two steps, so that the agent can give a client that has begun
  // a frame less time to finish it than to begin it. The body read checks the
  // tag: all zero before the session, the session key's HMAC after.
  asio::awaitable<FrameHeader> read_header();
  asio::awaitable<Frame> read_body(const FrameHeader& header);
  asio::awaitable<Frame> read();
  asio::awaitable<void> write(MessageType type, uint64_t seq, std::string payload);

  void start_session(std::string key) { key_ = std::move(key); }

 private:
  tcp::socket socket_;
  Limits limits_;
  std::string key_;  // empty until the handshake is done
};

// Client side; throws AuthenticationError when the agent refuses the token,
// ProtocolError when the agent's answer is malformed or its proof wrong.
asio::awaitable<void> client_handshake(Channel& channel, const std::string& token);
// Agent side; sends the refusal itself, then throws AuthenticationError.
asio::awaitable<void> agent_handshake(Channel& channel, const std::string& token);

}  // namespace gos::remote
