#include "mpi/coordinator.h"

#include <fmt/format.h>

#include <cmath>
#include <csignal>
#include <limits>
#include <optional>

#include "framework/error.h"

namespace gos::mpi {
namespace {

volatile std::sig_atomic_t g_stop_signal = 0;

extern "C" void remember_stop_signal(int signal) { g_stop_signal = signal; }

// rank 0's wait for the next message, ending in gos::Error when the job is
// being stopped; `what` says what was lost and how to go on.
Message next_message(World& world, const std::string& what) {
  std::optional<Message> message = world.receive(StopSignals::raised);
  if (!message) {
    world.abandon();
    throw Error(fmt::format("the MPI job is being stopped ({}: a rank died or the job was cancelled); {}",
                            StopSignals::name(), what));
  }
  return std::move(*message);
}

void expect(const Message& message, Tag tag, const char* kind) {
  if (message.tag != tag)
    throw Error(fmt::format("MPI protocol: rank {} sent message kind {} where rank 0 expected a {} message",
                            message.source, static_cast<int>(message.tag), kind));
}

}  // namespace

void stop_workers(World& world) {
  for (int rank = 1; rank < world.size(); ++rank) world.send(rank, Tag::kStop, {});
}

StopSignals::StopSignals() {
  struct sigaction action {};
  action.sa_handler = remember_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, &old_term_);
  sigaction(SIGINT, &action, &old_int_);
}

StopSignals::~StopSignals() {
  sigaction(SIGTERM, &old_term_, nullptr);
  sigaction(SIGINT, &old_int_, nullptr);
}

bool StopSignals::raised() { return g_stop_signal != 0; }

const char* StopSignals::name() { return g_stop_signal == SIGINT ? "SIGINT" : "SIGTERM"; }

bool agree(World& world, const Identity& mine) {
  if (world.rank() != 0) {
    world.send(0, Tag::kHello, encode(mine));
    const std::optional<Message> answer = world.receive({});
    if (!answer || answer->tag != Tag::kStart) return false;
    return answer->bytes.empty();
  }
  std::vector<Identity> ranks(static_cast<size_t>(world.size()));
  ranks[0] = mine;
  {
    const StopSignals signals;
    for (int received = 1; received < world.size(); ++received) {
      const Message message = next_message(world, "nothing was run yet");
      expect(message, Tag::kHello, "hello");
      Identity identity = decode_identity(message.bytes);
      identity.rank = message.source;
      ranks[static_cast<size_t>(message.source)] = std::move(identity);
    }
  }
  std::string refusal = mine.error;
  if (refusal.empty()) {
    const std::string problems = identity_problems(ranks);
    if (!problems.empty())
      refusal = fmt::format(
          "the {} MPI ranks would not run the same thing; nothing was run and no results file was "
          "touched:{}",
          world.size(), problems);
  }
  for (int rank = 1; rank < world.size(); ++rank)
    world.send(rank, Tag::kStart, refusal.empty() ? std::string() : "refused by rank 0");
  if (!refusal.empty()) throw Error(refusal);
  return true;
}

Coordinator::Coordinator(World& world, std::string output, std::string resume)
    : world_(world), output_(std::move(output)), resume_(std::move(resume)) {}

Coordinator::~Coordinator() {
  if (StopSignals::raised()) return;  // the launcher is ending every rank; a send could wait for a dead one
  try {
    stop_workers(world_);
  } catch (const std::exception&) {
    // Leaving: the error that brought us here matters more.
  }
}

std::vector<EvaluationRecord> Coordinator::evaluate_all(const std::vector<const Genome*>& genomes,
                                                        std::vector<std::string> canonicals, int64_t generation) {
  const size_t n = genomes.size();
  std::vector<EvaluationRecord> records(n);
  size_t next = 0, in_flight = 0;
  auto dispatch = [&](int worker) {
    world_.send(worker, Tag::kEvaluate, encode(EvaluateRequest{next, generation, canonicals[next]}));
    ++next;
    ++in_flight;
  };
  for (int worker = 1; worker < world_.size() && next < n; ++worker) dispatch(worker);
  std::string lost;  // the first DeviceLost: no new genome goes out, the ones out are collected
  while (in_flight > 0) {
    const Message message = next_message(
        world_, fmt::format("{} genome{} of generation {} {} being evaluated; the results file '{}' holds every "
                            "generation before it: continue with `{}`",
                            in_flight, in_flight == 1 ? "" : "s", generation, in_flight == 1 ? "was" : "were", output_,
                            resume_));
    expect(message, Tag::kResult, "result");
    EvaluateReply reply = decode_evaluate_reply(message.bytes);
    if (reply.index >= n)
      throw Error(
          fmt::format("MPI protocol: rank {} answered genome {} of a batch of {}", message.source, reply.index, n));
    --in_flight;
    if (reply.device_lost) {
      if (lost.empty()) lost = fmt::format("rank {}: {}", message.source, reply.record.error);
    } else {
      records[reply.index] = std::move(reply.record);
      records[reply.index].genome = canonicals[reply.index];
      records[reply.index].generation = generation;
    }
    if (lost.empty() && next < n) dispatch(message.source);
  }
  if (!lost.empty()) throw DeviceLost(lost);
  return records;
}

void serve(World& world, Experiment& experiment) {
  while (true) {
    const std::optional<Message> message = world.receive({});
    if (!message || message->tag == Tag::kStop) return;
    if (message->tag != Tag::kEvaluate)
      throw Error(fmt::format("MPI protocol: rank {} got message kind {} while serving evaluations", world.rank(),
                              static_cast<int>(message->tag)));
    const EvaluateRequest request = decode_evaluate_request(message->bytes);
    EvaluateReply reply;
    reply.index = request.index;
    try {
      const GenomePtr genome = experiment.space->deserialize(request.genome);
      reply.record = evaluate_in_process(experiment, {genome.get()}, {request.genome}, request.generation).front();
    } catch (const DeviceLost& e) {
      reply.device_lost = true;
      reply.record.error = e.what();
    } catch (const std::exception& e) {
      // The genome itself could not be read back here: the evaluation fails, as in one process.
      reply.record.failed = true;
      reply.record.error = fmt::format("rank {} cannot read the genome: {}", world.rank(), e.what());
      reply.record.values.assign(experiment.objectives.size(), std::nan(""));
      reply.record.violation = std::numeric_limits<double>::infinity();
    }
    reply.record.genome.clear();
    world.send(0, Tag::kResult, encode(reply));
  }
}

Phase::Phase(World& world, std::string_view description, std::string output, std::string resume)
    : world_(world), output_(std::move(output)), resume_(resume), coordinator_(world, output_, std::move(resume)) {
  for (int rank = 1; rank < world_.size(); ++rank) world_.send(rank, Tag::kPhase, description);
}

Phase::~Phase() {
  if (StopSignals::raised()) return;  // the launcher is ending every rank
  try {
    // An answer left unread would be taken for the next phase's.
    if (!answered_) wait_ready();
  } catch (const std::exception&) {
    // Leaving anyway (a worker that refused only ends its phase).
  }
}

void Phase::wait_ready() {
  if (answered_) return;
  answered_ = true;
  std::string refusals;
  for (int received = 1; received < world_.size(); ++received) {
    const Message message =
        next_message(world_, fmt::format("nothing of '{}' was evaluated yet: continue with `{}`", output_, resume_));
    expect(message, Tag::kReady, "ready");
    if (!message.bytes.empty()) refusals += fmt::format("\n  rank {}: {}", message.source, message.bytes);
  }
  if (!refusals.empty())
    throw Error(
        fmt::format("MPI workers cannot evaluate the search of '{}'; nothing of it was evaluated, and what "
                    "was recorded before it is kept: fix the ranks below, then continue with `{}`:{}",
                    output_, resume_, refusals));
}

std::vector<EvaluationRecord> Phase::evaluate_all(const std::vector<const Genome*>& genomes,
                                                  std::vector<std::string> canonicals, int64_t generation) {
  wait_ready();
  return coordinator_.evaluate_all(genomes, std::move(canonicals), generation);
}

void serve_phases(World& world, const std::function<Experiment&(const std::string& description)>& prepare) {
  while (true) {
    std::optional<Message> message = world.receive({});
    if (!message || message->tag == Tag::kStop) return;
    if (message->tag != Tag::kPhase)
      throw Error(fmt::format("MPI protocol: rank {} got message kind {} while waiting for the next search",
                              world.rank(), static_cast<int>(message->tag)));
    Experiment* experiment = nullptr;
    std::string refusal;
    try {
      experiment = &prepare(message->bytes);
    } catch (const std::exception& e) {
      refusal = e.what();
    }
    world.send(0, Tag::kReady, refusal);
    if (experiment) {
      serve(world, *experiment);
      continue;
    }
    // Refused: rank 0 ends the phase without sending it genomes.
    message = world.receive({});
    if (message && message->tag != Tag::kStop)
      throw Error(fmt::format("MPI protocol: rank {} got message kind {} in a search it refused", world.rank(),
                              static_cast<int>(message->tag)));
  }
}

void share_runs(World& world, size_t count, const std::function<void(const RunReply& reply, int rank)>& finished) {
  const StopSignals signals;
  size_t next = 0, in_flight = 0;
  std::optional<std::string> failure;
  auto dispatch = [&](int worker) {
    world.send(worker, Tag::kRun, encode(RunRequest{next}));
    ++next;
    ++in_flight;
  };
  try {
    for (int worker = 1; worker < world.size() && next < count; ++worker) dispatch(worker);
    while (in_flight > 0) {
      const Message message = next_message(world,
                                           "every run's results file holds the generations written so far: run the "
                                           "same `gos sweep` again to resume them");
      expect(message, Tag::kRunDone, "run done");
      const RunReply reply = decode_run_reply(message.bytes);
      --in_flight;
      if (reply.failed && !failure)
        failure = fmt::format("sweep run {} failed on rank {}: {}", reply.index + 1, message.source, reply.text);
      if (!reply.failed) finished(reply, message.source);
      if (!failure && next < count) dispatch(message.source);
    }
  } catch (...) {
    if (!StopSignals::raised()) stop_workers(world);
    throw;
  }
  stop_workers(world);
  if (failure) throw Error(*failure);
}

void do_runs(World& world, const std::function<std::string(size_t index)>& run) {
  while (true) {
    const std::optional<Message> message = world.receive({});
    if (!message || message->tag == Tag::kStop) return;
    if (message->tag != Tag::kRun)
      throw Error(fmt::format("MPI protocol: rank {} got message kind {} while waiting for sweep runs", world.rank(),
                              static_cast<int>(message->tag)));
    const RunRequest request = decode_run_request(message->bytes);
    RunReply reply{request.index, false, {}};
    try {
      reply.text = run(request.index);
    } catch (const std::exception& e) {
      reply.failed = true;
      reply.text = e.what();
    }
    world.send(0, Tag::kRunDone, encode(reply));
  }
}

}  // namespace gos::mpi
