#pragma once
// How the gos binary finds out that an MPI launcher started it, loads
// libgos_mpi.so only then, and says what build it is. No MPI here.
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "framework/plugin_registry.h"
#include "mpi/world.h"

namespace gos::mpi {

// The number of processes an MPI launcher announced in the environment
// (Open MPI's mpirun: OMPI_COMM_WORLD_SIZE; srun --mpi=pmi2 and MPICH:
// PMI_SIZE); 0 when a launcher started the process without saying how many
// (srun --mpi=pmix: PMIX_RANK); nullopt when no launcher started it.
std::optional<int> launcher_world_size();

// What `mpirun -n 1 gos ...` prints before running as without mpirun.
inline constexpr const char* kOneMpiProcessNote =
    "note: an MPI launcher started 1 process: it runs everything itself, as without mpirun "
    "(start 2 or more: rank 0 then coordinates and the others evaluate)\n";

// Loads libgos_mpi.so (beside the binary, or in ../lib/gos once installed)
// and initialises MPI. Throws gos::Error when this gos was built without MPI
// or the library cannot be loaded.
World& load_world();

// Finalizes the world (when there is one) on every way out of a command.
class FinalizeOnExit {
 public:
  explicit FinalizeOnExit(World* world) : world_(world) {}
  ~FinalizeOnExit() {
    if (world_) world_->finalize();
  }
  FinalizeOnExit(const FinalizeOnExit&) = delete;
  FinalizeOnExit& operator=(const FinalizeOnExit&) = delete;

 private:
  World* world_;
};

// The files that make this build, as (file name, hash of the content): the
// running executable, the framework library, libgos_mpi.so, every plugin
// library `registry` has loaded, then `extra` (what else the command runs,
// e.g. libgos_torch_commands.so). Equal lists mean the same code.
std::vector<std::pair<std::string, std::string>> build_id(const PluginRegistry& registry,
                                                          const std::vector<std::filesystem::path>& extra = {});

}  // namespace gos::mpi
