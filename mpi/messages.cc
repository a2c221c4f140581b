#include "mpi/messages.h"

#include <fmt/format.h>

#include <cstring>

#include "framework/error.h"

namespace gos::mpi {
namespace {

class Writer {
 public:
  template <typename T>
  Writer& number(T value) {
    bytes_.append(reinterpret_cast<const char*>(&value), sizeof value);
    return *this;
  }
  Writer& text(std::string_view value) {
    number<uint64_t>(value.size());
    bytes_.append(value);
    return *this;
  }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

class Reader {
 public:
  Reader(std::string_view bytes, const char* kind) : bytes_(bytes), kind_(kind) {}
  template <typename T>
  T number() {
    T value;
    std::memcpy(&value, take(sizeof value).data(), sizeof value);
    return value;
  }
  std::string text() { return std::string(take(number<uint64_t>())); }
  // The message must end here.
  void end() const {
    if (!bytes_.empty()) throw Error(fmt::format("MPI message '{}': {} bytes left over", kind_, bytes_.size()));
  }

 private:
  std::string_view take(uint64_t count) {
    if (count > bytes_.size())
      throw Error(
          fmt::format("MPI message '{}' is truncated ({} more bytes expected, {} left)", kind_, count, bytes_.size()));
    const std::string_view part = bytes_.substr(0, count);
    bytes_.remove_prefix(count);
    return part;
  }
  std::string_view bytes_;
  const char* kind_;
};

}  // namespace

std::string encode(const Identity& identity) {
  Writer w;
  w.number<int64_t>(identity.rank).text(identity.host).text(identity.file).text(identity.error).text(identity.work);
  w.number<uint64_t>(identity.build.size());
  for (const auto& [name, hash] : identity.build) w.text(name).text(hash);
  return w.take();
}

Identity decode_identity(std::string_view bytes) {
  Reader r(bytes, "hello");
  Identity identity;
  identity.rank = static_cast<int>(r.number<int64_t>());
  identity.host = r.text();
  identity.file = r.text();
  identity.error = r.text();
  identity.work = r.text();
  const auto files = r.number<uint64_t>();
  for (uint64_t i = 0; i < files; ++i) {
    std::string name = r.text();
    identity.build.emplace_back(std::move(name), r.text());
  }
  r.end();
  return identity;
}

std::string encode(const EvaluateRequest& request) {
  return Writer().number(request.index).number(request.generation).text(request.genome).take();
}

EvaluateRequest decode_evaluate_request(std::string_view bytes) {
  Reader r(bytes, "evaluate");
  EvaluateRequest request;
  request.index = r.number<uint64_t>();
  request.generation = r.number<int64_t>();
  request.genome = r.text();
  r.end();
  return request;
}

std::string encode(const EvaluateReply& reply) {
  Writer w;
  const EvaluationRecord& record = reply.record;
  w.number(reply.index).number<uint8_t>(reply.device_lost).number<uint8_t>(record.failed);
  w.number<uint8_t>(record.cached).number(record.violation).number(record.seconds).text(record.error);
  w.number<uint64_t>(record.values.size());
  for (double value : record.values) w.number(value);
  return w.take();
}

EvaluateReply decode_evaluate_reply(std::string_view bytes) {
  Reader r(bytes, "result");
  EvaluateReply reply;
  EvaluationRecord& record = reply.record;
  reply.index = r.number<uint64_t>();
  reply.device_lost = r.number<uint8_t>() != 0;
  record.failed = r.number<uint8_t>() != 0;
  record.cached = r.number<uint8_t>() != 0;
  record.violation = r.number<double>();
  record.seconds = r.number<double>();
  record.error = r.text();
  record.values.resize(r.number<uint64_t>());
  for (double& value : record.values) value = r.number<double>();
  r.end();
  return reply;
}

std::string encode(const RunRequest& request) { return Writer().number(request.index).take(); }

RunRequest decode_run_request(std::string_view bytes) {
  Reader r(bytes, "run");
  RunRequest request{r.number<uint64_t>()};
  r.end();
  return request;
}

std::string encode(const RunReply& reply) {
  return Writer().number(reply.index).number<uint8_t>(reply.failed).text(reply.text).take();
}

RunReply decode_run_reply(std::string_view bytes) {
  Reader r(bytes, "run done");
  RunReply reply;
  reply.index = r.number<uint64_t>();
  reply.failed = r.number<uint8_t>() != 0;
  reply.text = r.text();
  r.end();
  return reply;
}

std::string identity_problems(const std::vector<Identity>& ranks) {
  if (ranks.empty()) return "";
  const Identity& first = ranks[0];
  std::string problems;
  auto add = [&](const Identity& rank, const std::string& what) {
    problems += fmt::format("\n  rank {} ({}): {}", rank.rank, rank.host, what);
  };
  for (const Identity& rank : ranks) {
    if (!rank.error.empty()) {
      if (rank.rank != 0) add(rank, "cannot build the experiment: " + rank.error);
      continue;
    }
    if (rank.rank == 0 || !first.error.empty()) continue;
    if (rank.work != first.work)
      add(rank, fmt::format("runs another experiment: '{}' resolves to {}, rank 0's '{}' to {} (start every rank "
                            "with the same file and options)",
                            rank.file, rank.work, first.file, first.work));
    if (rank.build != first.build) {
      std::string difference = "the file lists differ";
      for (size_t i = 0; i < std::min(rank.build.size(), first.build.size()); ++i)
        if (rank.build[i] != first.build[i]) {
          difference =
              fmt::format("{} has hash {} here, {} on rank 0", rank.build[i].first, rank.build[i].second,
                          first.build[i].first == rank.build[i].first ? first.build[i].second : "(another file)");
          break;
        }
      add(rank,
          "runs another build of GOS or its plugins: " + difference + " (install one build where every node reads it)");
    }
  }
  return problems;
}

std::string fnv1a_hex(std::string_view bytes) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char byte : bytes) {
    hash ^= byte;
    hash *= 1099511628211ull;
  }
  return fmt::format("{:016x}", hash);
}

}  // namespace gos::mpi
