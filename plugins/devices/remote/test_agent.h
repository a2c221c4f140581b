#pragma once
// For tests: an agent on a free loopback port, served by a thread, with its
// log kept (plugins/devices/remote/agent_test.cc, adapt/remote_latency_test.cc).
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "plugins/devices/remote/client.h"
#include "plugins/devices/remote/server.h"

namespace gos::remote {

inline const std::string kTestToken = "test-token-0123456789abcdef";

// An agent on a free loopback port, served by a thread, with its log kept.
class TestAgent {
 public:
  // port 0: any free port.
  explicit TestAgent(AgentBackend& backend, AgentOptions options = {}, uint16_t port = 0) {
    options.port = port;
    if (options.token.empty()) options.token = kTestToken;
    server_ = std::make_unique<AgentServer>(options, backend, [this](const std::string& line) {
      std::lock_guard lock(mutex_);
      log_ += line + "\n";
    });
    thread_ = std::thread([this] { server_->run(); });
  }
  ~TestAgent() {
    server_->stop();
    thread_.join();
  }
  Endpoint endpoint() const { return {"127.0.0.1", server_->port()}; }
  std::string log() {
    std::lock_guard lock(mutex_);
    return log_;
  }
  // Waits until the log mentions `text` (the agent logs after it answered).
  bool wait_for_log(const std::string& text, double seconds = 5) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < until) {
      if (log().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

 private:
  std::unique_ptr<AgentServer> server_;
  std::thread thread_;
  std::mutex mutex_;
  std::string log_;
};

}  // namespace gos::remote
