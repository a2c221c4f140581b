#pragma once
// The agent's server: accepts authenticated clients and answers describe and
// measure requests from a backend (the board's own device and plugins).
//
// One thread runs the network (Boost.Asio, one coroutine per client), one
// worker runs measurements one at a time (two at once would time each other).
// A client is cut off when it takes longer than handshake_timeout_s to
// authenticate, frame_timeout_s to finish a frame it began, or idle_timeout_s
// to begin the next one; beyond max_clients connections a client is told the
// agent is busy. So a bad or slow client holds a socket, never the agent.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "framework/device.h"
#include "plugins/devices/remote/protocol.h"

namespace gos::remote {

// The workload request is malformed or names what this agent cannot build.
class BadWorkload : public Error {
 public:
  using Error::Error;
};

class AgentBackend {
 public:
  virtual ~AgentBackend() = default;
  virtual DeviceInfo describe() = 0;
  // Throws BadWorkload for a request it cannot build, gos::Error when the
  // device refuses the workload (e.g. not measurable repeatably).
  virtual Measurement measure(const WireWorkload& workload) = 0;
};

struct AgentOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 7700;  // 0: any free port (tests), see AgentServer::port()
  std::string token;
  Limits limits;
  double handshake_timeout_s = 5;
  double frame_timeout_s = 10;
  double idle_timeout_s = 600;
  int max_clients = 16;
  bool stop_on_signals = false;  // SIGINT / SIGTERM end run() (the command sets it)
};

class AgentServer {
 public:
  // Binds the address; throws gos::Error when it cannot, or when the token is
  // empty. `log` receives one line per connection event and per request.
  AgentServer(AgentOptions options, AgentBackend& backend, std::function<void(const std::string&)> log);
  ~AgentServer();
  uint16_t port() const;
  // Serves until stop(); returns afterwards.
  void run();
  // Safe from any thread (and from a signal-handling thread).
  void stop();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace gos::remote
