// Agent and client on loopback ports: authentication, bounded and malformed
// messages, slow and hanging peers, and the pool's retry on another board.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "framework/workload_spec.h"
#include "plugins/devices/remote/asio.h"
#include "plugins/devices/remote/auth.h"
#include "plugins/devices/remote/client.h"
#include "plugins/devices/remote/pool_device.h"
#include "plugins/devices/remote/remote_device.h"
#include "plugins/devices/remote/server.h"
#include "plugins/devices/remote/test_agent.h"
#include "plugins/devices/remote/transport.h"

namespace gos::remote {
namespace {


// Answers from the genome text: "sleep:S" sleeps S seconds, "fail" refuses,
// anything else measures its length in milliseconds.
class FakeBackend : public AgentBackend {
 public:
  explicit FakeBackend(std::string name = "fake") : name_(std::move(name)) {}
  DeviceInfo describe() override { return {name_, {{"cores", "1"}}}; }
  Measurement measure(const WireWorkload& w) override {
    ++measured;
    if (w.genome.rfind("sleep:", 0) == 0)
      std::this_thread::sleep_for(std::chrono::duration<double>(std::stod(w.genome.substr(6))));
    if (w.genome == "fail") throw Error("runs spread too much");
    if (w.genome == "bad") throw BadWorkload("no such genome");
    return {static_cast<double>(w.genome.size()), 0.1, 0.01, 30};
  }
  std::atomic<int> measured = 0;

 private:
  std::string name_;
};

ClientOptions client_options(const Endpoint& endpoint, std::string token = kTestToken) {
  ClientOptions options;
  options.agent = endpoint;
  options.token = std::move(token);
  options.timeout_s = 5;
  return options;
}

WireWorkload genome(std::string text) {
  WireWorkload w;
  w.space_toml = "[search_space]\nplugin = \"fake\"\n";
  w.genome = std::move(text);
  return w;
}

// A raw connection for sending what a well-behaved client never would.
struct RawClient {
  explicit RawClient(const Endpoint& endpoint) : socket(io) {
    socket.connect(tcp::endpoint(asio::ip::make_address(endpoint.host), endpoint.port));
  }
  // Runs a coroutine on this connection to completion.
  template <typename F>
  void run(F f) {
    std::exception_ptr error;
    asio::co_spawn(io, std::move(f), [&](std::exception_ptr e) { error = e; });
    io.restart();
    io.run();
    if (error) std::rethrow_exception(error);
  }
  // True when the agent closed the connection (reading gives EOF or reset).
  bool closed_by_agent() {
    char byte;
    boost::system::error_code ec;
    asio::read(socket, asio::buffer(&byte, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }
  asio::io_context io;
  tcp::socket socket;
};

TEST(Agent, DescribesAndMeasuresForAnAuthenticatedClient) {
  FakeBackend backend;
  TestAgent agent(backend);
  AgentClient client(client_options(agent.endpoint()));
  const DeviceInfo info = client.describe();
  EXPECT_EQ(info.name, "fake");
  EXPECT_EQ(info.properties.at("cores"), "1");
  EXPECT_EQ(client.measure(genome("abcd")).median_ms, 4);
  EXPECT_EQ(client.measure(genome("ab")).median_ms, 2);
  ASSERT_TRUE(agent.wait_for_log("measure genome 'ab'"));
  // Who, what, how long.
  EXPECT_NE(agent.log().find("127.0.0.1:"), std::string::npos) << agent.log();
  EXPECT_NE(agent.log().find("authenticated"), std::string::npos) << agent.log();
  EXPECT_NE(agent.log().find("measure genome 'abcd': 4.0000 ms median over 30 runs, took"), std::string::npos)
      << agent.log();
}

TEST(Agent, RefusedMeasurementsAreErrorsNotLostDevices) {
  FakeBackend backend;
  TestAgent agent(backend);
  AgentClient client(client_options(agent.endpoint()));
  try {
    client.measure(genome("fail"));
    FAIL();
  } catch (const DeviceLost& e) {
    FAIL() << e.what();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("runs spread too much"), std::string::npos) << e.what();
  }
  EXPECT_THROW(client.measure(genome("bad")), Error);
  EXPECT_EQ(client.measure(genome("ok")).median_ms, 2);  // same connection still good
}

TEST(Agent, RefusesToStartWithoutAToken) {
  FakeBackend backend;
  AgentOptions options;
  options.port = 0;
  EXPECT_THROW(AgentServer(options, backend, [](const std::string&) {}), Error);
}

TEST(Agent, WrongTokenIsRefused) {
  FakeBackend backend;
  TestAgent agent(backend);
  AgentClient client(client_options(agent.endpoint(), "another-token-0123456789"));
  try {
    client.describe();
    FAIL();
  } catch (const AuthenticationError& e) {
    EXPECT_NE(std::string(e.what()).find("refused the token"), std::string::npos) << e.what();
  }
  ASSERT_TRUE(agent.wait_for_log("dropped while handshake"));
  EXPECT_NE(agent.log().find("wrong token"), std::string::npos) << agent.log();
  EXPECT_EQ(backend.measured, 0);
}

TEST(Agent, UnauthenticatedRequestIsRefused) {
  FakeBackend backend;
  TestAgent agent(backend);
  RawClient raw(agent.endpoint());
  Channel channel(std::move(raw.socket), Limits{});
  raw.run([&]() -> asio::awaitable<void> {
    std::string measure = encode_workload(genome("abc"));  // named: see transport.cc
    co_await channel.write(MessageType::kMeasure, 1, measure);
  });
  raw.socket = std::move(channel.socket());
  EXPECT_TRUE(raw.closed_by_agent());
  EXPECT_EQ(backend.measured, 0);
  ASSERT_TRUE(agent.wait_for_log("expected hello, got measure"));
}

TEST(Agent, ReplayedRequestIsRefused) {
  FakeBackend backend;
  TestAgent agent(backend);
  RawClient raw(agent.endpoint());
  Channel channel(std::move(raw.socket), Limits{});
  raw.run([&]() -> asio::awaitable<void> {
    co_await client_handshake(channel, kTestToken);
    std::string measure = encode_workload(genome("abc"));  // named: see transport.cc
    co_await channel.write(MessageType::kMeasure, 1, measure);
    const Frame reply = co_await channel.read();
    EXPECT_EQ(reply.header.type, MessageType::kMeasured);
    // The same bytes again: a correct tag, a stale number.
    co_await channel.write(MessageType::kMeasure, 1, measure);
  });
  raw.socket = std::move(channel.socket());
  EXPECT_TRUE(raw.closed_by_agent());
  EXPECT_EQ(backend.measured, 1);
  ASSERT_TRUE(agent.wait_for_log("replayed"));
}

TEST(Agent, OversizeTruncatedAndGarbageMessagesAreRefused) {
  FakeBackend backend;
  AgentOptions options;
  options.limits.max_payload = 1024;
  options.handshake_timeout_s = 0.5;
  TestAgent agent(backend, options);
  {  // a header announcing more than the limit
    RawClient raw(agent.endpoint());
    const auto header = encode_header({MessageType::kHello, 0, 4096});
    asio::write(raw.socket, asio::buffer(header));
    EXPECT_TRUE(raw.closed_by_agent());
    ASSERT_TRUE(agent.wait_for_log("over the limit of 1024 bytes"));
  }
  {  // garbage
    RawClient raw(agent.endpoint());
    const std::string garbage(64, '\x5a');
    asio::write(raw.socket, asio::buffer(garbage));
    EXPECT_TRUE(raw.closed_by_agent());
    ASSERT_TRUE(agent.wait_for_log("bad magic"));
  }
  {  // a frame that stops half-way: cut off at the time-out
    RawClient raw(agent.endpoint());
    const std::string frame = encode_frame({{MessageType::kHello, 0, 0}, std::string(kNonceSize, 'n'), {}});
    asio::write(raw.socket, asio::buffer(frame.data(), frame.size() / 2));
    EXPECT_TRUE(raw.closed_by_agent());
    ASSERT_TRUE(agent.wait_for_log("cut off: time-out while handshake"));
  }
  {  // an authenticated request whose payload is malformed: refused, connection kept
    RawClient raw(agent.endpoint());
    Channel channel(std::move(raw.socket), Limits{});
    raw.run([&]() -> asio::awaitable<void> {
      co_await client_handshake(channel, kTestToken);
      std::string malformed = "\x01\xff\xff";
      co_await channel.write(MessageType::kMeasure, 1, malformed);
      const Frame reply = co_await channel.read();
      EXPECT_EQ(reply.header.type, MessageType::kError);
      EXPECT_NE(decode_error(reply.payload, Limits{}).message.find("truncated"), std::string::npos);
      std::string describe;
      co_await channel.write(MessageType::kDescribe, 2, describe);
      const Frame description = co_await channel.read();
      EXPECT_EQ(description.header.type, MessageType::kDescription);
    });
  }
  EXPECT_EQ(backend.measured, 0);
}

TEST(Agent, SlowAndSilentClientsDoNotStallOthers) {
  FakeBackend backend;
  AgentOptions options;
  options.handshake_timeout_s = 1;
  TestAgent agent(backend, options);
  RawClient silent(agent.endpoint());  // connects and says nothing
  RawClient slow(agent.endpoint());    // half a header
  asio::write(slow.socket, asio::buffer(std::string("GOSA\x01"), 5));
  AgentClient client(client_options(agent.endpoint()));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(client.measure(genome("abc")).median_ms, 3);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 0.9) << "the good client waited for the silent ones";
  EXPECT_TRUE(silent.closed_by_agent());
  EXPECT_TRUE(slow.closed_by_agent());
}

TEST(Agent, TooManyClientsAreToldTheAgentIsBusy) {
  FakeBackend backend;
  AgentOptions options;
  options.max_clients = 1;
  TestAgent agent(backend, options);
  AgentClient first(client_options(agent.endpoint()));
  first.describe();
  AgentClient second(client_options(agent.endpoint()));
  EXPECT_THROW(second.describe(), DeviceLost);
  ASSERT_TRUE(agent.wait_for_log("refused: 1 clients already connected"));
  first.disconnect();
  ASSERT_TRUE(agent.wait_for_log("disconnected"));
  EXPECT_EQ(second.describe().name, "fake");
}

TEST(Agent, HangingBoardHitsTheClientTimeOut) {
  FakeBackend backend;
  TestAgent agent(backend);
  ClientOptions options = client_options(agent.endpoint());
  options.timeout_s = 0.3;
  AgentClient client(options);
  const auto start = std::chrono::steady_clock::now();
  try {
    client.measure(genome("sleep:1.5"));
    FAIL();
  } catch (const DeviceLost& e) {
    EXPECT_NE(std::string(e.what()).find("did not answer a genome measurement within 0.3 s"), std::string::npos)
        << e.what();
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 1.2);
}

TEST(Agent, UnreachableAgentIsALostDevice) {
  FakeBackend backend;
  Endpoint gone;
  {
    TestAgent agent(backend);
    gone = agent.endpoint();
  }
  AgentClient client(client_options(gone));
  EXPECT_THROW(client.describe(), DeviceLost);
}

// A workload that carries a spec, as portable_workload makes them.
class SpecWorkload : public Workload {
 public:
  explicit SpecWorkload(std::string genome) {
    spec_.space.plugin = "fake";
    spec_.genome = std::move(genome);
  }
  std::string key() const override { return spec_.genome; }
  void run() override { throw std::logic_error("a remote device must not run workloads here"); }
  const WorkloadSpec* spec() const override { return &spec_; }

 private:
  WorkloadSpec spec_;
};

class KeyOnlyWorkload : public Workload {
 public:
  std::string key() const override { return "k"; }
  void run() override {}
};

std::filesystem::path token_file() {
  std::filesystem::create_directories(std::filesystem::path(GOS_BINARY_DIR) / "test-output");
  const auto file = std::filesystem::path(GOS_BINARY_DIR) / "test-output" / "remote_agent_test.token";
  std::ofstream(file) << kTestToken << "\n";
  return file;
}

TEST(RemoteDevice, MeasuresWorkloadsByTheirSpec) {
  FakeBackend backend;
  TestAgent agent(backend);
  RemoteDevice device({agent.endpoint().to_string(), token_file().string(), 5, 5, 0, 0});
  device.test_connection();
  EXPECT_EQ(device.describe().properties.at("agent"), agent.endpoint().to_string());
  SpecWorkload workload("abcde");
  EXPECT_EQ(device.measure(workload).median_ms, 5);
  KeyOnlyWorkload plain;
  try {
    device.measure(plain);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not describe itself as data"), std::string::npos) << e.what();
  }
}

TEST(RemoteDevice, GivesUpWithDeviceLostAndReconnectsOnceTheAgentIsBack) {
  FakeBackend backend;
  auto agent = std::make_unique<TestAgent>(backend);
  const Endpoint endpoint = agent->endpoint();
  RemoteDevice device({endpoint.to_string(), token_file().string(), 5, 1, 1, 0});
  SpecWorkload workload("abc");
  EXPECT_EQ(device.measure(workload).median_ms, 3);
  agent.reset();  // the board goes away
  try {
    device.measure(workload);
    FAIL();
  } catch (const DeviceLost& e) {
    EXPECT_NE(std::string(e.what()).find("after 1 retries"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--resume"), std::string::npos) << e.what();
  }
  agent = std::make_unique<TestAgent>(backend, AgentOptions{}, endpoint.port);  // restarted
  EXPECT_EQ(device.measure(workload).median_ms, 3);
}

TEST(RemotePool, SpreadsABatchAndRetriesOnAnotherBoard) {
  FakeBackend first_backend("board"), second_backend("board");
  auto first = std::make_unique<TestAgent>(first_backend);
  TestAgent second(second_backend);
  const auto record = std::filesystem::path(GOS_BINARY_DIR) / "test-output" / "remote_agent_test_pool.csv";
  std::filesystem::remove(record);
  RemotePool pool(
      {{first->endpoint().to_string(), second.endpoint().to_string()}, token_file().string(), 5, 2, record.string()});
  pool.test_connection();
  EXPECT_EQ(pool.describe().properties.at("boards"), "2");
  // Slow workloads, so that both boards get some.
  std::vector<std::unique_ptr<SpecWorkload>> owned;
  std::vector<Workload*> batch;
  for (int i = 0; i < 6; ++i) {
    owned.push_back(std::make_unique<SpecWorkload>("sleep:0.05"));
    batch.push_back(owned.back().get());
  }
  std::vector<MeasureOutcome> outcomes = pool.measure_all(batch);
  ASSERT_EQ(outcomes.size(), 6u);
  std::set<std::string> boards;
  for (const MeasureOutcome& outcome : outcomes) {
    ASSERT_TRUE(outcome.measurement) << outcome.error;
    EXPECT_EQ(outcome.measurement->median_ms, 10);
    boards.insert(outcome.measured_by);
  }
  EXPECT_EQ(boards.size(), 2u);
  EXPECT_EQ(first_backend.measured + second_backend.measured, 6);

  first.reset();  // one board drops: everything goes to the other
  outcomes = pool.measure_all(batch);
  for (const MeasureOutcome& outcome : outcomes) {
    ASSERT_TRUE(outcome.measurement) << outcome.error;
    EXPECT_EQ(outcome.measured_by, second.endpoint().to_string());
  }
  EXPECT_EQ(second_backend.measured + first_backend.measured, 12);

  std::ifstream in(record);
  std::string line;
  int rows = 0;
  std::getline(in, line);
  EXPECT_EQ(line, "workload,board,median_ms,status");
  while (std::getline(in, line)) {
    ++rows;
    EXPECT_NE(line.find(",ok"), std::string::npos) << line;
  }
  EXPECT_EQ(rows, 12);
}

TEST(RemotePool, EveryBoardLostIsADeviceLost) {
  FakeBackend backend;
  Endpoint gone;
  {
    TestAgent agent(backend);
    gone = agent.endpoint();
  }
  RemotePool pool({{gone.to_string()}, token_file().string(), 1, 1, ""});
  EXPECT_THROW(pool.test_connection(), DeviceLost);
  SpecWorkload workload("abc");
  EXPECT_THROW(pool.measure(workload), DeviceLost);
}

}  // namespace
}  // namespace gos::remote
