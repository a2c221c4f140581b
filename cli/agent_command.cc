// gos agent: serves this machine's device to GOS runs elsewhere (the `remote`
// and `remote_pool` devices), over authenticated, bounded messages.
#include <fmt/format.h>

#include <boost/asio/ip/address.hpp>
#include <boost/program_options.hpp>
#include <iostream>
#include <mutex>

#include "cli/commands.h"
#include "framework/error.h"
#include "framework/runner.h"
#include "plugins/devices/remote/agent_backend.h"
#include "plugins/devices/remote/auth.h"
#include "plugins/devices/remote/client.h"
#include "plugins/devices/remote/server.h"

namespace po = boost::program_options;

namespace gos::cli {
namespace {

bool is_loopback(const std::string& host) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

}  // namespace

int agent_command(const Args& args) {
  std::string listen = "127.0.0.1:7700", token_file, new_token, device = "cpu";
  std::vector<std::string> settings, plugin_paths;
  bool allow_remote = false;
  remote::AgentOptions agent;
  po::options_description options("Options");
  options.add_options()("listen", po::value(&listen)->default_value(listen), "address and port to listen on")(
      "allow-remote", po::bool_switch(&allow_remote),
      "allow a --listen address other than loopback (other machines can then connect; they still need the token)")(
      "token-file", po::value(&token_file), "file holding the shared token (required; see --new-token)")(
      "new-token", po::value(&new_token), "write a new random token to this file (mode 0600) and exit")(
      "device", po::value(&device)->default_value(device), "device plugin measurements run on")(
      "set", po::value(&settings)->composing(), "a device parameter: --set device.threads=1 (repeatable)")(
      "plugin-path", po::value(&plugin_paths)->composing(), "extra plugin directory (repeatable)")(
      "max-clients", po::value(&agent.max_clients)->default_value(agent.max_clients), "connections served at once")(
      "idle-timeout", po::value(&agent.idle_timeout_s)->default_value(agent.idle_timeout_s),
      "seconds a connected client may stay silent")("help,h", po::bool_switch(), "show this help");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).run(), vm);
  if (vm["help"].as<bool>()) {
    std::cout << "Usage: gos agent --token-file FILE [--listen HOST:PORT] [options]\n\n"
                 "Serves this machine's device (describe, measure a workload, measure a kernel) to\n"
                 "'remote' and 'remote_pool' devices of GOS runs elsewhere. Workloads arrive as data\n"
                 "(search space plugin, its keys, a canonical genome or kernel) and are rebuilt with\n"
                 "this machine's own plugins. Every connection authenticates with HMAC-SHA256 over\n"
                 "the token; each request is logged to stderr.\n\n"
              << options << "\n";
    return 0;
  }
  po::notify(vm);
  if (!new_token.empty()) {
    remote::write_new_token_file(new_token);
    std::cout << fmt::format("wrote a new token to {} (mode 0600); copy it to the machines that run GOS\n", new_token);
    return 0;
  }
  if (token_file.empty()) throw po::error("the agent refuses to start without a token: give --token-file FILE");
  const remote::Endpoint endpoint = remote::parse_endpoint(listen, "--listen", true);
  if (!is_loopback(endpoint.host) && !allow_remote)
    throw Error(
        fmt::format("--listen {}: not a loopback address; other machines could connect. Add --allow-remote "
                    "to mean it (and firewall the port)",
                    listen));
  std::string warning;
  agent.token = remote::read_token_file(token_file, &warning);
  if (!warning.empty()) std::cerr << "warning: " << warning << "\n";
  agent.address = endpoint.host;
  agent.port = endpoint.port;
  agent.stop_on_signals = true;
  remote::PluginBackendOptions backend_options;
  backend_options.device = device;
  for (const std::string& item : settings) {
    if (item.rfind("device.", 0) != 0) throw Error(fmt::format("--set '{}': keys start with 'device.'", item));
    backend_options.device_settings.push_back(item.substr(7));
  }
  PluginRegistry registry;
  load_default_plugins(registry, plugin_paths);
  remote::PluginBackend backend(registry, backend_options);
  std::mutex log_mutex;
  auto log = [&](const std::string& line) {
    std::lock_guard lock(log_mutex);
    std::cerr << utc_now_iso8601() << " " << line << std::endl;
  };
  remote::AgentServer server(agent, backend, log);
  const DeviceInfo info = backend.describe();
  std::string properties;
  for (const auto& [key, value] : info.properties) properties += fmt::format(" {}={}", key, value);
  log(fmt::format("gos agent {} listening on {}:{}; device {}:{}", gos_version(), endpoint.host, server.port(),
                  info.name, properties));
  server.run();
  return 0;
}

}  // namespace gos::cli
