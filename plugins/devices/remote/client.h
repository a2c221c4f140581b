#pragma once
// A connection to one agent, as the remote device and the pool use it:
// connects and authenticates on first use, bounds every call by a time-out,
// and reconnects on the next call after a failure.
#include <memory>
#include <string>

#include "framework/device.h"
#include "plugins/devices/remote/asio.h"
#include "plugins/devices/remote/protocol.h"

namespace gos::remote {

class Channel;

struct Endpoint {
  std::string host;
  uint16_t port = 0;
  std::string to_string() const;
};
// "host:port" (IPv6 as "[::1]:7700"); throws gos::Error naming `what` when
// malformed. Port 0 (any free port) only where `any_port` allows it (listening).
Endpoint parse_endpoint(const std::string& text, const std::string& what, bool any_port = false);

struct ClientOptions {
  Endpoint agent;
  std::string token;
  double connect_timeout_s = 5;  // connect + handshake
  double timeout_s = 30;         // one request, measurement included
  Limits limits;
};

class AgentClient {
 public:
  explicit AgentClient(ClientOptions options);
  ~AgentClient();
  AgentClient(const AgentClient&) = delete;
  AgentClient& operator=(const AgentClient&) = delete;

  // Throw DeviceLost when the agent cannot be reached, stops answering within
  // the time-out, or breaks the protocol; AuthenticationError (transport.h)
  // when it refuses the token; gos::Error when it refuses the request (the
  // message says why).
  DeviceInfo describe();
  Measurement measure(const WireWorkload& workload);
  const Endpoint& agent() const { return options_.agent; }
  // Drops the connection; the next call connects again.
  void disconnect();

 private:
  template <typename T, typename Op>
  T call(Op op, double timeout_s, const std::string& what);
  Frame request(MessageType type, std::string payload, const std::string& what);

  ClientOptions options_;
  boost::asio::io_context io_;
  std::unique_ptr<Channel> channel_;
  uint64_t seq_ = 0;
};

}  // namespace gos::remote
