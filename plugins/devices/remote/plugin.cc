// Plugin entry point of the `remote` device.
#include "framework/plugin_abi.h"
#include "plugins/devices/remote/remote_device.h"

namespace gos {
namespace {

ParamSchema schema() {
  const remote::RemoteDeviceConfig d;
  ParamSchema s;
  s.string("address", d.address, "HOST:PORT of the board's 'gos agent'")
      .string("token_file", d.token_file, "file holding the token the agent was started with")
      .real("timeout_s", d.timeout_s, 0.001, 86400, "longest wait for one measurement (a board that hangs)")
      .real("connect_timeout_s", d.connect_timeout_s, 0.001, 3600, "longest wait to connect and authenticate")
      .integer("retries", d.retries, 0, 100, "reconnect-and-retry attempts after the agent is lost")
      .real("retry_delay_s", d.retry_delay_s, 0, 3600, "pause before each retry");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  remote::RemoteDeviceConfig config;
  config.address = params.get_string("address");
  config.token_file = params.get_string("token_file");
  config.timeout_s = params.get_real("timeout_s");
  config.connect_timeout_s = params.get_real("connect_timeout_s");
  config.retries = static_cast<int>(params.get_int("retries"));
  config.retry_delay_s = params.get_real("retry_delay_s");
  try {
    return std::make_unique<remote::RemoteDevice>(config);
  } catch (const Error& e) {
    const std::string what = e.what();
    throw params.error(what.find("token") != std::string::npos ? "token_file" : "address", what);
  }
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("remote", gos::PluginKind::kDevice, "1.0.0",
           "A board's device reached through its 'gos agent' (authenticated; workloads travel as data)", &gos::schema,
           &gos::create)
