#pragma once
// The MPI job this process belongs to, as the gos binary sees it: ranks and
// byte messages, nothing of <mpi.h>. libgos_mpi.so (world_mpi.cc) is the one
// file that calls MPI; the gos binary loads it only when an MPI launcher
// (mpirun, srun) started the process (mpi/launch.h), so a plain `gos run`
// neither links nor needs MPI.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace gos::mpi {

// The message kinds of the GOS protocol (mpi/messages.h holds their bodies).
enum class Tag : int {
  kHello = 1,     // worker -> 0: its Identity
  kStart = 2,     // 0 -> worker: empty to go on, else why rank 0 refused
  kEvaluate = 3,  // 0 -> worker: an EvaluateRequest
  kResult = 4,    // worker -> 0: an EvaluateReply
  kRun = 5,       // 0 -> worker: a sweep run to do (RunRequest)
  kRunDone = 6,   // worker -> 0: a RunReply
  kStop = 7,      // 0 -> worker: no more work (or, in a phase, the phase's end)
  kPhase = 8,     // 0 -> worker: build the next search's experiment (what to build: opaque to mpi/)
  kReady = 9,     // worker -> 0: empty when built, else why this rank cannot
};

struct Message {
  int source = 0;
  Tag tag = Tag::kStop;
  std::string bytes;
};

class World {
 public:
  virtual ~World() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // The node's name as MPI reports it.
  virtual std::string host() const = 0;
  // Sends `bytes` (an eager copy for small messages). Throws gos::Error when
  // MPI reports a failure.
  virtual void send(int destination, Tag tag, std::string_view bytes) = 0;
  // The next message for this rank from anyone. Waits by polling with short
  // sleeps rather than MPI's busy wait, so that an idle rank leaves its core
  // to the evaluating ones. Returns nullopt as soon as `interrupted` returns
  // true (checked about every millisecond).
  virtual std::optional<Message> receive(const std::function<bool()>& interrupted) = 0;
  // MPI_Finalize; later calls do nothing.
  virtual void finalize() = 0;
  // A rank is gone (the launcher is stopping the job): never call
  // MPI_Finalize, which could wait for it forever.
  virtual void abandon() = 0;
};

// The entry point libgos_mpi.so exports: the world, MPI initialised on the
// first call (throws gos::Error when MPI cannot start).
inline constexpr const char* kWorldEntryPoint = "gos_mpi_world";
using WorldEntryPoint = World&();

}  // namespace gos::mpi
