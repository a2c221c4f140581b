#include "plugins/devices/remote/remote_device.h"

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "framework/workload_spec.h"
#include "plugins/devices/remote/auth.h"
#include "plugins/devices/remote/workload_wire.h"

namespace gos::remote {

WireWorkload wire_of(const Workload& workload) {
  const WorkloadSpec* spec = workload.spec();
  if (!spec)
    throw Error(
        fmt::format("workload '{}' cannot be sent to a remote device: it does not describe itself as data "
                    "(its search space was built in code rather than from a configuration)",
                    workload.key()));
  return to_wire(*spec);
}

RemoteDevice::RemoteDevice(RemoteDeviceConfig config) : config_(std::move(config)) {
  ClientOptions options;
  options.agent = parse_endpoint(config_.address, "address");
  options.token = read_token_file(config_.token_file);
  options.timeout_s = config_.timeout_s;
  options.connect_timeout_s = config_.connect_timeout_s;
  client_ = std::make_unique<AgentClient>(std::move(options));
}

void RemoteDevice::test_connection() const {
  DeviceInfo info = client_->describe();
  info.properties["agent"] = client_->agent().to_string();
  info_ = std::move(info);
}

DeviceInfo RemoteDevice::describe() const {
  if (!info_) test_connection();
  return *info_;
}

Measurement RemoteDevice::measure(Workload& workload) {
  const WireWorkload wire = wire_of(workload);
  for (int attempt = 0;; ++attempt) {
    try {
      return client_->measure(wire);
    } catch (const DeviceLost& e) {
      if (attempt >= config_.retries)
        throw DeviceLost(fmt::format("{} (after {} retries); restart the agent and continue with --resume", e.what(),
                                     config_.retries));
      std::this_thread::sleep_for(std::chrono::duration<double>(config_.retry_delay_s));
    }
  }
}

}  // namespace gos::remote
