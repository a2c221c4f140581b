// Protocol overhead of one remote measurement on loopback: an in-process agent
// whose backend answers at once, so that the round trip (encode, HMAC-SHA256
// both ways, the socket, the hop to the measuring thread and back) is all
// that is timed. Compared with calling the backend directly.
#include <benchmark/benchmark.h>

#include <thread>

#include "plugins/devices/remote/client.h"
#include "plugins/devices/remote/server.h"

namespace gos::remote {
namespace {

class InstantBackend : public AgentBackend {
 public:
  DeviceInfo describe() override { return {"instant", {}}; }
  Measurement measure(const WireWorkload& w) override { return {static_cast<double>(w.genome.size()), 0, 0, 1}; }
};

WireWorkload typical_workload() {
  WireWorkload w;
  w.space_toml =
      "[search_space]\nplugin = \"cnn_chain\"\nresolution = 32\nbatch = 1\nclasses = 10\n"
      "channels = [8, 16, 24, 32, 48, 64]\nkernels = [1, 3, 5]\nstrides = [1, 2]\n";
  w.genome = "3x3:16:1|5x5:32:2|1x1:64:1|3x3:48:2";
  return w;
}

void BM_DirectCall(benchmark::State& state) {
  InstantBackend backend;
  const WireWorkload w = typical_workload();
  for (auto _ : state) benchmark::DoNotOptimize(backend.measure(w));
}
BENCHMARK(BM_DirectCall);

void BM_RemoteMeasureLoopback(benchmark::State& state) {
  InstantBackend backend;
  AgentOptions options;
  options.port = 0;
  options.token = "benchmark-token-0123456789";
  AgentServer server(options, backend, [](const std::string&) {});
  std::thread thread([&] { server.run(); });
  {
    ClientOptions client_options;
    client_options.agent = {"127.0.0.1", server.port()};
    client_options.token = options.token;
    AgentClient client(client_options);
    const WireWorkload w = typical_workload();
    client.describe();  // connected and authenticated before timing
    for (auto _ : state) benchmark::DoNotOptimize(client.measure(w));
  }
  server.stop();
  thread.join();
}
BENCHMARK(BM_RemoteMeasureLoopback)->Unit(benchmark::kMicrosecond)->UseRealTime();

// Connect + handshake, paid once per connection (and after each lost agent).
void BM_ConnectAndAuthenticate(benchmark::State& state) {
  InstantBackend backend;
  AgentOptions options;
  options.port = 0;
  options.token = "benchmark-token-0123456789";
  AgentServer server(options, backend, [](const std::string&) {});
  std::thread thread([&] { server.run(); });
  {
    ClientOptions client_options;
    client_options.agent = {"127.0.0.1", server.port()};
    client_options.token = options.token;
    AgentClient client(client_options);
    for (auto _ : state) {
      client.disconnect();
      benchmark::DoNotOptimize(client.describe());
    }
  }
  server.stop();
  thread.join();
}
BENCHMARK(BM_ConnectAndAuthenticate)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace gos::remote

BENCHMARK_MAIN();
