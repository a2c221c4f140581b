#include "plugins/devices/remote/server.h"

#include <fmt/format.h>

#include <chrono>

#include "plugins/devices/remote/asio.h"
#include "plugins/devices/remote/transport.h"

namespace gos::remote {
namespace {

using Clock = std::chrono::steady_clock;

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// One client: its channel and the deadline a watchdog enforces by closing the socket.
struct Connection {
  Connection(tcp::socket socket, const Limits& limits)
      : channel(std::move(socket), limits), timer(channel.socket().get_executor()) {}
  void set_deadline(Clock::time_point when) {
    deadline = when;
    timer.cancel();  // the watchdog re-arms for the new deadline
  }
  void close() {
    boost::system::error_code ignored;
    channel.socket().shutdown(tcp::socket::shutdown_both, ignored);
    channel.socket().close(ignored);
    timer.cancel();
  }
  Channel channel;
  asio::steady_timer timer;
  Clock::time_point deadline = Clock::time_point::max();
  bool timed_out = false;
  std::string peer;
};

asio::awaitable<void> watchdog(std::shared_ptr<Connection> connection) {
  while (connection->channel.socket().is_open()) {
    connection->timer.expires_at(connection->deadline);
    boost::system::error_code ec;
    co_await connection->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (connection->channel.socket().is_open() && connection->deadline <= Clock::now()) {
      connection->timed_out = true;
      connection->close();
    }
  }
}

std::string describe_request(const WireWorkload& w) {
  return w.kind == WireWorkload::Kind::kGenome ? fmt::format("measure genome '{}'", w.genome)
                                               : fmt::format("measure kernel '{}'", w.kernel_key);
}

}  // namespace

struct AgentServer::State {
  AgentOptions options;
  AgentBackend& backend;
  std::function<void(const std::string&)> log;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  asio::thread_pool worker{1};
  int clients = 0;
  DeviceInfo info;

  State(AgentOptions o, AgentBackend& b, std::function<void(const std::string&)> l)
      : options(std::move(o)), backend(b), log(std::move(l)) {}

  asio::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      if (ec) {
        log(fmt::format("accept failed: {}", ec.message()));
        continue;
      }
      auto connection = std::make_shared<Connection>(std::move(socket), options.limits);
      boost::system::error_code peer_ec;
      const auto endpoint = connection->channel.socket().remote_endpoint(peer_ec);
      connection->peer = peer_ec ? "?" : fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
      asio::co_spawn(io, serve(connection), asio::detached);
    }
  }

  asio::awaitable<void> serve(std::shared_ptr<Connection> connection) {
    if (clients >= options.max_clients) {
      log(fmt::format("{} refused: {} clients already connected", connection->peer, clients));
      connection->set_deadline(Clock::now() + seconds(options.handshake_timeout_s));
      asio::co_spawn(io, watchdog(connection), asio::detached);
      try {
        std::string busy = encode_error({ErrorCode::kBusy, "too many clients; try again later"});
        co_await connection->channel.write(MessageType::kError, 0, std::move(busy));
      } catch (const std::exception&) {
      }
      connection->close();
      co_return;
    }
    ++clients;
    connection->set_deadline(Clock::now() + seconds(options.handshake_timeout_s));
    asio::co_spawn(io, watchdog(connection), asio::detached);
    std::string stage = "handshake";
    try {
      co_await agent_handshake(connection->channel, options.token);
      log(fmt::format("{} authenticated", connection->peer));
      stage = "waiting for a request";
      for (uint64_t expected = 1;; ++expected) {
        connection->set_deadline(Clock::now() + seconds(options.idle_timeout_s));
        const FrameHeader header = co_await connection->channel.read_header();
        connection->set_deadline(Clock::now() + seconds(options.frame_timeout_s));
        stage = fmt::format("reading a {} request", to_string(header.type));
        const Frame request = co_await connection->channel.read_body(header);
        if (request.header.seq != expected)
          throw ProtocolError(fmt::format("request number {} where {} was due (a replayed or reordered message)",
                                          request.header.seq, expected));
        connection->set_deadline(Clock::time_point::max());
        co_await answer(*connection, request);
        stage = "waiting for a request";
      }
    } catch (const std::exception& e) {
      const bool eof = [&] {
        auto* system = dynamic_cast<const boost::system::system_error*>(&e);
        return system && system->code() == asio::error::eof;
      }();
      if (connection->timed_out)
        log(fmt::format("{} cut off: time-out while {}", connection->peer, stage));
      else if (eof && stage == "waiting for a request")
        log(fmt::format("{} disconnected", connection->peer));
      else
        log(fmt::format("{} dropped while {}: {}", connection->peer, stage, e.what()));
    }
    connection->close();
    --clients;
  }

  asio::awaitable<void> answer(Connection& connection, const Frame& request) {
    const auto start = Clock::now();
    const uint64_t seq = request.header.seq;
    switch (request.header.type) {
      case MessageType::kDescribe: {
        PayloadReader(request.payload, options.limits, MessageType::kDescribe).finish();
        std::string description = encode_device_info(info);
        co_await connection.channel.write(MessageType::kDescription, seq, std::move(description));
        log(fmt::format("{} describe: ok, {:.2f} ms", connection.peer, ms_since(start)));
        co_return;
      }
      case MessageType::kMeasure: {
        WireWorkload workload;
        std::string malformed;
        try {
          workload = decode_workload(request.payload, options.limits);
        } catch (const ProtocolError& e) {
          malformed = e.what();
        }
        if (!malformed.empty()) {
          const std::string what = "measure";
          co_await reply_error(connection, seq, ErrorCode::kBadRequest, malformed, what, start);
          co_return;
        }
        // On the worker; this coroutine resumes on the network thread.
        std::string failure;
        ErrorCode code = ErrorCode::kMeasurementFailed;
        Measurement m = co_await asio::co_spawn(
            worker, [&]() -> asio::awaitable<Measurement> { co_return measure(workload, code, failure); },
            asio::use_awaitable);
        if (!failure.empty()) {
          const std::string what = describe_request(workload);
          co_await reply_error(connection, seq, code, failure, what, start);
          co_return;
        }
        std::string measured = encode_measurement(m);
        co_await connection.channel.write(MessageType::kMeasured, seq, std::move(measured));
        log(fmt::format("{} {}: {:.4f} ms median over {} runs, took {:.1f} ms", connection.peer,
                        describe_request(workload), m.median_ms, m.runs, ms_since(start)));
        co_return;
      }
      default:
        throw ProtocolError(fmt::format("{} is not a request", to_string(request.header.type)));
    }
  }

  // On the worker thread; the exceptions stay out of the coroutine.
  Measurement measure(const WireWorkload& workload, ErrorCode& code, std::string& failure) {
    try {
      return backend.measure(workload);
    } catch (const BadWorkload& e) {
      code = ErrorCode::kBadRequest;
      failure = e.what();
    } catch (const std::exception& e) {
      failure = e.what();
    }
    return {};
  }

  asio::awaitable<void> reply_error(Connection& connection, uint64_t seq, ErrorCode code, const std::string& message,
                                    const std::string& what, Clock::time_point start) {
    std::string reply = encode_error({code, message});
    co_await connection.channel.write(MessageType::kError, seq, std::move(reply));
    log(fmt::format("{} {}: refused ({}), took {:.1f} ms", connection.peer, what, message, ms_since(start)));
  }
};

AgentServer::AgentServer(AgentOptions options, AgentBackend& backend, std::function<void(const std::string&)> log)
    : state_(std::make_unique<State>(std::move(options), backend, std::move(log))) {
  const AgentOptions& o = state_->options;
  if (o.token.empty()) throw Error("the agent refuses to start without a token");
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(o.address, ec);
  if (ec) throw Error(fmt::format("--listen: '{}' is not an IP address", o.address));
  const tcp::endpoint endpoint(address, o.port);
  state_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) state_->acceptor.bind(endpoint, ec);
  if (!ec) state_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw Error(fmt::format("cannot listen on {}:{}: {}", o.address, o.port, ec.message()));
  state_->info = backend.describe();
}

AgentServer::~AgentServer() {
  stop();
  state_->worker.join();
}

uint16_t AgentServer::port() const { return state_->acceptor.local_endpoint().port(); }

void AgentServer::run() {
  asio::signal_set signals(state_->io);
  if (state_->options.stop_on_signals) {
    signals.add(SIGINT);
    signals.add(SIGTERM);
    signals.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      state_->log(fmt::format("signal {}: stopping", signal));
      stop();
    });
  }
  asio::co_spawn(state_->io, state_->accept_loop(), asio::detached);
  state_->io.run();
}

void AgentServer::stop() { state_->io.stop(); }

}  // namespace gos::remote
