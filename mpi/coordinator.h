#pragma once
// The GOS protocol over a World (mpi/world.h): rank 0 owns the strategy, the
// results file and resume; the other ranks (workers) evaluate what it sends.
// No MPI here: the World carries the bytes.
#include <signal.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "framework/evaluation.h"
#include "mpi/messages.h"
#include "mpi/world.h"

namespace gos::mpi {

// While one exists, SIGTERM and SIGINT (what mpirun sends every rank when
// one of them dies) only set a flag that rank 0's waits check: rank 0 then
// marks its results file and says how to resume instead of dying, possibly
// inside a write. A signal is remembered for the rest of the process.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  static bool raised();
  static const char* name();  // "SIGTERM" or "SIGINT"

 private:
  struct sigaction old_term_ {};
  struct sigaction old_int_ {};
};

// The start of every job: each worker sends its Identity to rank 0, which
// compares them with its own. Rank 0 throws gos::Error (its own build error,
// or one line per rank that cannot build the experiment, runs another
// experiment or another build), after telling the workers to stop; it
// returns when all agree. A worker returns false when rank 0 refused.
//
// Whenever rank 0 reports, a worker ends with status 0 and the job's status is
// rank 0's: a worker that ended first with a failure would let the launcher
// (mpirun aborts the job on the first non-zero exit) kill rank 0 before it
// printed why.
bool agree(World& world, const Identity& mine);

// Rank 0's evaluation backend: the next genome goes to whichever worker is
// free; records come back in genome order, so the results file is the same
// whatever the number of workers. It holds StopSignals for its lifetime: a
// stop ends the wait for results with a gos::Error that names the results
// file and `resume`, the command that continues the run.
class Coordinator final : public EvaluationBackend {
 public:
  Coordinator(World& world, std::string output, std::string resume = "gos run FILE --resume");
  ~Coordinator() override;  // stops the workers (unless the job is being stopped)
  Coordinator(const Coordinator&) = delete;
  Coordinator& operator=(const Coordinator&) = delete;

  std::vector<EvaluationRecord> evaluate_all(const std::vector<const Genome*>& genomes,
                                             std::vector<std::string> canonicals, int64_t generation) override;

 private:
  World& world_;
  std::string output_;
  std::string resume_;
  StopSignals signals_;
};

// Sends every worker kStop (the end of the job, or of a phase).
void stop_workers(World& world);

// One search of a job that runs several one after the other, whose
// objectives the workers cannot build up front (`gos adapt`: one inner
// search per slot, over the model the previous ones left). Constructing it
// sends every worker `description` (kPhase); each builds that search's
// experiment and answers; the first evaluation waits for all answers, then
// genomes go out as with a Coordinator. Destroying it ends the phase on every
// worker (kStop), after collecting the answers it did not wait for.
class Phase final : public EvaluationBackend {
 public:
  // `output` and `resume` as for Coordinator.
  Phase(World& world, std::string_view description, std::string output, std::string resume);
  ~Phase() override;
  Phase(const Phase&) = delete;
  Phase& operator=(const Phase&) = delete;

  // Waits for every worker's answer. Throws gos::Error with one line per
  // rank that could not build the search, and what to do.
  void wait_ready();
  std::vector<EvaluationRecord> evaluate_all(const std::vector<const Genome*>& genomes,
                                             std::vector<std::string> canonicals, int64_t generation) override;

 private:
  World& world_;
  std::string output_;
  std::string resume_;
  Coordinator coordinator_;  // holds the stop signals while the phase lasts; its destruction ends the phase
  bool answered_ = false;
};

// A worker of a job of phases: for each phase rank 0 starts, `prepare` builds
// the experiment from the description (what it throws is this rank's
// refusal, which rank 0 reports), then serve() evaluates until the phase
// ends. Returns when rank 0 ends the job.
void serve_phases(World& world, const std::function<Experiment&(const std::string& description)>& prepare);

// A worker of `gos run`: evaluates the genomes rank 0 sends with its own
// `experiment` (built from the same file) until rank 0 says stop.
void serve(World& world, Experiment& experiment);

// `gos sweep` on rank 0: hands runs 0..count-1 to free workers and calls
// `finished` with each reply, in completion order. When a run fails no new
// one starts; after the ones in flight end it throws gos::Error naming the
// run and its rank. Stops the workers before it returns or throws.
void share_runs(World& world, size_t count, const std::function<void(const RunReply& reply, int rank)>& finished);

// A worker of `gos sweep`: does the runs rank 0 sends (`run` returns the
// summary line; a gos::Error is the run's failure) until rank 0 says stop.
void do_runs(World& world, const std::function<std::string(size_t index)>& run);

}  // namespace gos::mpi
