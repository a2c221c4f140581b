#include "plugins/devices/remote/pool_device.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <deque>
#include <filesystem>
#include <iostream>
#include <set>
#include <thread>

#include "framework/workload_spec.h"
#include "plugins/devices/remote/auth.h"
#include "plugins/devices/remote/remote_device.h"

namespace gos::remote {
namespace {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c == '\n' ? ' ' : c);
  return out + "\"";
}

std::string workload_name(const WireWorkload& w) {
  return w.kind == WireWorkload::Kind::kGenome ? w.genome : w.kernel_key;
}

}  // namespace

RemotePool::RemotePool(PoolConfig config) : config_(std::move(config)) {
  if (config_.agents.empty()) throw Error("agents: a pool needs at least one board");
  const std::string token = read_token_file(config_.token_file);
  std::set<std::string> seen;
  for (const std::string& address : config_.agents) {
    ClientOptions options;
    options.agent = parse_endpoint(address, "agents");
    if (!seen.insert(options.agent.to_string()).second)
      throw Error(fmt::format("agents: board {} is listed twice", address));
    options.token = token;
    options.timeout_s = config_.timeout_s;
    options.connect_timeout_s = config_.connect_timeout_s;
    boards_.push_back({std::make_unique<AgentClient>(std::move(options)), true, ""});
  }
  if (!config_.record.empty()) {
    const bool fresh = !std::filesystem::exists(config_.record);
    record_.open(config_.record, std::ios::app);
    if (!record_) throw Error(fmt::format("record: cannot open '{}' for appending", config_.record));
    if (fresh) record_ << "workload,board,median_ms,status\n" << std::flush;
  }
}

RemotePool::~RemotePool() = default;

void RemotePool::test_connection() const {
  std::vector<std::string> lost;
  for (Board& board : boards_) {
    try {
      DeviceInfo info = board.client->describe();
      board.up = true;
      if (!info_) info_ = std::move(info);
    } catch (const DeviceLost& e) {
      board.up = false;
      board.last_error = e.what();
      lost.push_back(e.what());
    }
  }
  if (!info_) throw DeviceLost(fmt::format("no board of the pool answers: {}", fmt::join(lost, "; ")));
  for (const std::string& message : lost) std::cerr << "warning: pool board left out for now: " << message << "\n";
  info_->properties["boards"] = std::to_string(boards_.size());
  for (size_t i = 0; i < boards_.size(); ++i)
    info_->properties[fmt::format("board.{}", i)] = boards_[i].client->agent().to_string();
}

DeviceInfo RemotePool::describe() const {
  if (!info_) test_connection();
  return *info_;
}

Measurement RemotePool::measure(Workload& workload) {
  std::vector<MeasureOutcome> outcome = measure_all({&workload});
  if (!outcome[0].measurement) throw Error(outcome[0].error);
  return *outcome[0].measurement;
}

void RemotePool::record(const std::string& workload, const std::string& board, const MeasureOutcome& outcome) {
  if (!record_.is_open()) return;
  std::lock_guard lock(record_mutex_);
  record_ << csv_field(workload) << "," << board << ","
          << (outcome.measurement ? fmt::format("{}", outcome.measurement->median_ms) : "") << ","
          << (outcome.measurement ? "ok" : csv_field("refused: " + outcome.error)) << "\n"
          << std::flush;
}

std::vector<MeasureOutcome> RemotePool::measure_all(const std::vector<Workload*>& workloads) {
  std::vector<WireWorkload> wires;
  for (Workload* workload : workloads) wires.push_back(wire_of(*workload));
  std::vector<MeasureOutcome> outcomes(workloads.size());
  std::vector<bool> done(workloads.size(), false);
  std::deque<size_t> queue;
  for (size_t i = 0; i < workloads.size(); ++i) queue.push_back(i);
  std::mutex mutex;  // guards queue, done, outcomes, boards' up/last_error

  // One thread per board; each board's connection is used by its thread only.
  auto serve = [&](Board& board) {
    const std::string name = board.client->agent().to_string();
    for (;;) {
      size_t index;
      {
        std::lock_guard lock(mutex);
        if (queue.empty()) return;
        index = queue.front();
        queue.pop_front();
      }
      MeasureOutcome outcome;
      outcome.measured_by = name;
      try {
        outcome.measurement = board.client->measure(wires[index]);
      } catch (const DeviceLost& e) {
        std::lock_guard lock(mutex);
        queue.push_front(index);  // another board takes it
        board.up = false;
        board.last_error = e.what();
        std::cerr << fmt::format("warning: pool board {} lost ({}); its workload goes to another board\n", name,
                                 e.what());
        return;
      } catch (const Error& e) {
        outcome.error = e.what();
      }
      record(workload_name(wires[index]), name, outcome);
      std::lock_guard lock(mutex);
      outcomes[index] = std::move(outcome);
      done[index] = true;
    }
  };
  // Boards lost in an earlier batch get another chance (an agent restarted).
  for (Board& board : boards_) board.up = true;
  std::vector<std::thread> threads;
  for (Board& board : boards_) threads.emplace_back(serve, std::ref(board));
  for (std::thread& thread : threads) thread.join();
  if (!queue.empty()) {
    std::vector<std::string> errors;
    for (const Board& board : boards_) errors.push_back(board.last_error);
    throw DeviceLost(
        fmt::format("every board of the pool was lost with {} of {} workloads unmeasured: {}; restart "
                    "the agents and continue with --resume",
                    queue.size(), workloads.size(), fmt::join(errors, "; ")));
  }
  return outcomes;
}

}  // namespace gos::remote
