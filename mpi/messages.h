#pragma once
// Bodies of the GOS MPI messages (mpi/world.h's Tag), as bytes. Every rank of
// a job runs the same build (rank 0 checks the build id before any work), so
// numbers travel in the host's own layout.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "framework/results.h"

namespace gos::mpi {

// What a rank is about to run, sent to rank 0 before any work so that ranks
// started with different files, options or builds are refused up front.
struct Identity {
  int rank = 0;
  std::string host;
  std::string file;   // the experiment file as given on the command line
  std::string error;  // why this rank could not build the experiment; empty when it could
  std::string work;   // hash of what it would run (the resolved experiment, or a sweep's runs)
  std::vector<std::pair<std::string, std::string>> build;  // file name -> content hash (mpi/build_id.h)
};

struct EvaluateRequest {
  uint64_t index = 0;  // position in the generation's batch
  int64_t generation = 0;
  std::string genome;  // canonical string
};

struct EvaluateReply {
  uint64_t index = 0;
  bool device_lost = false;  // the objective's device stopped answering (DeviceLost); `record.error` says why
  EvaluationRecord record;   // genome and generation are left empty: rank 0 knows them
};

struct RunRequest {
  uint64_t index = 0;  // which run of the sweep
};

struct RunReply {
  uint64_t index = 0;
  bool failed = false;
  std::string text;  // the run's summary line, or why it failed
};

std::string encode(const Identity& identity);
std::string encode(const EvaluateRequest& request);
std::string encode(const EvaluateReply& reply);
std::string encode(const RunRequest& request);
std::string encode(const RunReply& reply);
// Each throws gos::Error when `bytes` is not a whole message of its kind.
Identity decode_identity(std::string_view bytes);
EvaluateRequest decode_evaluate_request(std::string_view bytes);
EvaluateReply decode_evaluate_reply(std::string_view bytes);
RunRequest decode_run_request(std::string_view bytes);
RunReply decode_run_reply(std::string_view bytes);

// Why the ranks must not run together, one line per rank that differs from
// rank 0 (an error building the experiment, another experiment, another
// build); empty when they all agree. `ranks[0]` is rank 0.
std::string identity_problems(const std::vector<Identity>& ranks);

// A stable 64-bit FNV-1a hash as 16 hex digits (the same on every host).
std::string fnv1a_hex(std::string_view bytes);

}  // namespace gos::mpi
