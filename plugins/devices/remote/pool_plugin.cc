// Plugin entry point of the `remote_pool` device.
#include "framework/plugin_abi.h"
#include "plugins/devices/remote/pool_device.h"

namespace gos {
namespace {

ParamSchema schema() {
  const remote::PoolConfig d;
  ParamSchema s;
  s.strings("agents", std::nullopt, "HOST:PORT of each board's 'gos agent' (interchangeable boards)")
      .string("token_file", d.token_file, "file holding the token the agents were started with")
      .real("timeout_s", d.timeout_s, 0.001, 86400, "longest wait for one measurement on one board")
      .real("connect_timeout_s", d.connect_timeout_s, 0.001, 3600, "longest wait to connect and authenticate")
      .string("record", d.record, "CSV file appended with which board measured which workload; empty: none");
  return s;
}

std::unique_ptr<Component> create(const Params& params, PluginHost&) {
  remote::PoolConfig config;
  config.agents = params.get_strings("agents");
  config.token_file = params.get_string("token_file");
  config.timeout_s = params.get_real("timeout_s");
  config.connect_timeout_s = params.get_real("connect_timeout_s");
  config.record = params.get_string("record");
  try {
    return std::make_unique<remote::RemotePool>(config);
  } catch (const Error& e) {
    const std::string what = e.what();
    throw params.error(what.find("token") != std::string::npos ? "token_file"
                       : what.find("record") == 0              ? "record"
                                                               : "agents",
                       what);
  }
}

}  // namespace
}  // namespace gos

GOS_PLUGIN("remote_pool", gos::PluginKind::kDevice, "1.0.0",
           "Several interchangeable boards behind 'gos agent's: batches spread over them, retried on another board "
           "when one drops",
           &gos::schema, &gos::create)
