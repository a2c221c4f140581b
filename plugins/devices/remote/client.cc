#include "plugins/devices/remote/client.h"

#include <fmt/format.h>

#include <chrono>
#include <optional>

#include "plugins/devices/remote/asio.h"
#include "plugins/devices/remote/transport.h"

namespace gos::remote {

std::string Endpoint::to_string() const {
  return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

Endpoint parse_endpoint(const std::string& text, const std::string& what, bool any_port) {
  const auto colon = text.rfind(':');
  auto fail = [&] {
    return Error(fmt::format("{}: '{}' is not HOST:PORT (e.g. 127.0.0.1:7700 or [::1]:7700)", what, text));
  };
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) throw fail();
  std::string host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']') throw fail();
    host = host.substr(1, host.size() - 2);
  }
  const std::string port_text = text.substr(colon + 1);
  if (port_text.find_first_not_of("0123456789") != std::string::npos || port_text.size() > 5) throw fail();
  const int port = std::stoi(port_text);
  if (port < (any_port ? 0 : 1) || port > 65535) throw fail();
  return {host, static_cast<uint16_t>(port)};
}

AgentClient::AgentClient(ClientOptions options) : options_(std::move(options)) {}
AgentClient::~AgentClient() = default;

void AgentClient::disconnect() {
  if (channel_) {
    boost::system::error_code ignored;
    channel_->socket().close(ignored);
  }
  channel_.reset();
}

// Runs one coroutine on the client's own io_context for at most `timeout_s`.
// Whatever goes wrong on the way is a lost device, except the refusals the
// agent states (gos::Error, AuthenticationError), which pass through.
template <typename T, typename Op>
T AgentClient::call(Op op, double timeout_s, const std::string& what) {
  std::optional<T> result;
  std::exception_ptr error;
  bool done = false;
  asio::co_spawn(io_, std::move(op), [&](std::exception_ptr e, T value) {
    done = true;
    error = e;
    if (!e) result = std::move(value);
  });
  io_.restart();
  io_.run_for(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(timeout_s)));
  if (!done) {
    disconnect();  // completes the pending operations with an error
    io_.restart();
    io_.run();
    throw DeviceLost(
        fmt::format("agent {} did not answer {} within {} s", options_.agent.to_string(), what, timeout_s));
  }
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const AuthenticationError& e) {
      disconnect();
      throw AuthenticationError(fmt::format("agent {} refused the token: {}", options_.agent.to_string(), e.what()));
    } catch (const DeviceLost&) {
      disconnect();
      throw;
    } catch (const ProtocolError& e) {
      disconnect();
      throw DeviceLost(
          fmt::format("agent {} broke the protocol during {}: {}", options_.agent.to_string(), what, e.what()));
    } catch (const Error&) {
      throw;  // the agent's answer: the connection is fine
    } catch (const std::exception& e) {
      disconnect();
      throw DeviceLost(fmt::format("agent {} lost during {}: {}", options_.agent.to_string(), what, e.what()));
    }
  }
  return std::move(*result);
}

Frame AgentClient::request(MessageType type, std::string payload, const std::string& what) {
  if (!channel_) {
    call<bool>(
        [this]() -> asio::awaitable<bool> {
          auto executor = co_await asio::this_coro::executor;
          tcp::resolver resolver(executor);
          const std::string port = std::to_string(options_.agent.port);
          const auto endpoints = co_await resolver.async_resolve(options_.agent.host, port, asio::use_awaitable);
          // The channel owns the socket while it connects, so that a time-out can close it.
          channel_ = std::make_unique<Channel>(tcp::socket(executor), options_.limits);
          co_await asio::async_connect(channel_->socket(), endpoints, asio::use_awaitable);
          channel_->socket().set_option(tcp::no_delay(true));
          seq_ = 0;
          co_await client_handshake(*channel_, options_.token);
          co_return true;
        },
        options_.connect_timeout_s, "the connection");
  }
  const uint64_t seq = ++seq_;
  Frame reply = call<Frame>(
      [this, type, seq, payload = std::move(payload)]() mutable -> asio::awaitable<Frame> {
        co_await channel_->write(type, seq, std::move(payload));
        Frame frame = co_await channel_->read();
        if (frame.header.seq != seq)
          throw ProtocolError(fmt::format("answer numbered {} to request {}", frame.header.seq, seq));
        co_return frame;
      },
      options_.timeout_s, what);
  if (reply.header.type == MessageType::kError) {
    const ErrorReply error = decode_error(reply.payload, options_.limits);
    if (error.code == ErrorCode::kBusy)
      throw DeviceLost(fmt::format("agent {} is busy: {}", options_.agent.to_string(), error.message));
    throw Error(fmt::format("agent {}: {}", options_.agent.to_string(), error.message));
  }
  return reply;
}

DeviceInfo AgentClient::describe() {
  const Frame reply = request(MessageType::kDescribe, "", "describe");
  if (reply.header.type != MessageType::kDescription) {
    disconnect();
    throw DeviceLost(
        fmt::format("agent {} answered describe with {}", options_.agent.to_string(), to_string(reply.header.type)));
  }
  try {
    return decode_device_info(reply.payload, options_.limits);
  } catch (const ProtocolError& e) {
    disconnect();
    throw DeviceLost(fmt::format("agent {}: {}", options_.agent.to_string(), e.what()));
  }
}

Measurement AgentClient::measure(const WireWorkload& workload) {
  const std::string what =
      workload.kind == WireWorkload::Kind::kGenome ? "a genome measurement" : "a kernel measurement";
  const Frame reply = request(MessageType::kMeasure, encode_workload(workload), what);
  if (reply.header.type != MessageType::kMeasured) {
    disconnect();
    throw DeviceLost(
        fmt::format("agent {} answered measure with {}", options_.agent.to_string(), to_string(reply.header.type)));
  }
  try {
    return decode_measurement(reply.payload, options_.limits);
  } catch (const ProtocolError& e) {
    disconnect();
    throw DeviceLost(fmt::format("agent {}: {}", options_.agent.to_string(), e.what()));
  }
}

}  // namespace gos::remote
