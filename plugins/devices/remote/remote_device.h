#pragma once
// The `remote` device: a board's device reached through its `gos agent`.
// Workloads travel as data (their WorkloadSpec); the agent rebuilds them with
// its own plugins and measures them on its own device.
#include <memory>
#include <string>

#include "framework/device.h"
#include "plugins/devices/remote/client.h"

namespace gos::remote {

struct RemoteDeviceConfig {
  std::string address = "127.0.0.1:7700";
  std::string token_file = "agent.token";
  double timeout_s = 30;         // one measurement, round trip included
  double connect_timeout_s = 5;  // connect + authenticate
  int retries = 2;               // reconnect-and-retry attempts after a lost connection
  double retry_delay_s = 1;      // pause before each retry
};

// The workload as it travels; throws gos::Error when it cannot describe itself.
WireWorkload wire_of(const Workload& workload);

class RemoteDevice : public Device {
 public:
  // Reads the token; does not connect (test_connection does).
  explicit RemoteDevice(RemoteDeviceConfig config);
  // The agent's device description plus `agent` = its address (cached from
  // test_connection; connects when not yet done).
  DeviceInfo describe() const override;
  // Connects, authenticates and asks for the description.
  void test_connection() const override;
  // Throws DeviceLost when the agent stays unreachable through the retries.
  Measurement measure(Workload& workload) override;

 private:
  RemoteDeviceConfig config_;
  std::unique_ptr<AgentClient> client_;
  mutable std::optional<DeviceInfo> info_;
};

}  // namespace gos::remote
