#pragma once
// The `remote_pool` device: several interchangeable boards, each behind its
// `gos agent`. measure_all spreads a batch over the boards (one workload per
// board at a time); a board that drops is left out and its workload measured
// on another; a CSV record says which board measured what.
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "framework/device.h"
#include "plugins/devices/remote/client.h"

namespace gos::remote {

struct PoolConfig {
  std::vector<std::string> agents;  // HOST:PORT of each board
  std::string token_file = "agent.token";
  double timeout_s = 30;
  double connect_timeout_s = 5;
  std::string record;  // CSV file appended with workload,board,median_ms,status; empty: none
};

class RemotePool : public Device {
 public:
  // Reads the token; throws gos::Error for a malformed address or a repeated board.
  explicit RemotePool(PoolConfig config);
  ~RemotePool() override;
  // The first reachable board's description, plus boards = N and board.I = address.
  DeviceInfo describe() const override;
  // Describes every board; throws DeviceLost when none answers (the others are
  // reported on stderr and tried again at the next batch).
  void test_connection() const override;
  Measurement measure(Workload& workload) override;
  // Throws DeviceLost when every board is lost before the batch is measured.
  std::vector<MeasureOutcome> measure_all(const std::vector<Workload*>& workloads) override;

 private:
  struct Board {
    std::unique_ptr<AgentClient> client;
    bool up = true;
    std::string last_error;
  };
  void record(const std::string& workload, const std::string& board, const MeasureOutcome& outcome);

  PoolConfig config_;
  mutable std::vector<Board> boards_;
  mutable std::optional<DeviceInfo> info_;
  std::mutex record_mutex_;
  std::ofstream record_;
};

}  // namespace gos::remote
