// libgos_mpi.so: the World of mpi/world.h over MPI. The only translation unit
// of GOS that includes <mpi.h>.
#include <fmt/format.h>
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "framework/error.h"
#include "mpi/world.h"

namespace gos::mpi {
namespace {

std::string mpi_error_text(int code) {
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(code, text, &length);
  return std::string(text, static_cast<size_t>(length));
}

void check(int code, const char* what) {
  if (code != MPI_SUCCESS) throw Error(fmt::format("MPI: {} failed: {}", what, mpi_error_text(code)));
}

class MpiWorld final : public World {
 public:
  MpiWorld() {
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    // Errors come back as codes (turned into gos::Error) instead of aborting
    // the job from inside MPI, so that rank 0 can still close its results file.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    char name[MPI_MAX_PROCESSOR_NAME] = {};
    int length = 0;
    MPI_Get_processor_name(name, &length);
    host_.assign(name, static_cast<size_t>(length));
  }
  ~MpiWorld() override { finalize(); }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string host() const override { return host_; }

  void send(int destination, Tag tag, std::string_view bytes) override {
    check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, destination, static_cast<int>(tag),
                   MPI_COMM_WORLD),
          "MPI_Send");
  }

  std::optional<Message> receive(const std::function<bool()>& interrupted) override {
    // Spin briefly (a reply that is already on its way), then sleep in
    // growing steps up to 1 ms: an idle rank costs next to no CPU, and a
    // message waits at most about 1 ms longer than with MPI_Recv.
    auto pause = std::chrono::microseconds(0);
    for (int polls = 0;; ++polls) {
      int flag = 0;
      MPI_Status status;
      check(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
      if (flag) {
        int count = 0;
        MPI_Get_count(&status, MPI_BYTE, &count);
        Message message;
        message.source = status.MPI_SOURCE;
        message.tag = static_cast<Tag>(status.MPI_TAG);
        message.bytes.resize(static_cast<size_t>(count));
        check(MPI_Recv(message.bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD,
                       MPI_STATUS_IGNORE),
              "MPI_Recv");
        return message;
      }
      if (interrupted && interrupted()) return std::nullopt;
      if (polls < 100) continue;
      pause = std::min(std::chrono::microseconds(1000), pause + std::chrono::microseconds(20));
      std::this_thread::sleep_for(pause);
    }
  }

  void finalize() override {
    if (abandoned_) return;
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
  }
  void abandon() override { abandoned_ = true; }

 private:
  int rank_ = 0, size_ = 1;
  bool abandoned_ = false;
  std::string host_;
};

}  // namespace
}  // namespace gos::mpi

extern "C" __attribute__((visibility("default"))) gos::mpi::World& gos_mpi_world() {
  static gos::mpi::MpiWorld world;
  return world;
}
