#include "mpi/launch.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <boost/dll/runtime_symbol_info.hpp>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string_view>

#include "framework/error.h"
#include "framework/runner.h"
#include "mpi/messages.h"

#ifndef GOS_MPI_RELATIVE_DIR
#define GOS_MPI_RELATIVE_DIR "../lib/gos"
#endif

namespace gos::mpi {
namespace {

constexpr const char* kLibraryName = "libgos_mpi.so";

std::optional<int> positive_env(const char* name) {
  const char* text = std::getenv(name);
  if (!text) return std::nullopt;
  int value = 0;
  const std::string_view view(text);
  const auto [end, ec] = std::from_chars(view.data(), view.data() + view.size(), value);
  if (ec != std::errc() || end != view.data() + view.size() || value < 1)
    throw Error(fmt::format("environment variable {}='{}' is not a process count", name, text));
  return value;
}

std::optional<std::filesystem::path> find_library() {
  boost::dll::fs::error_code ec;
  const std::filesystem::path exe = boost::dll::program_location(ec);
  if (ec) return std::nullopt;
  for (const std::filesystem::path& candidate :
       {exe.parent_path() / kLibraryName, exe.parent_path() / GOS_MPI_RELATIVE_DIR / kLibraryName})
    if (std::filesystem::is_regular_file(candidate)) return candidate.lexically_normal();
  return std::nullopt;
}

std::string file_hash(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw Error(fmt::format("cannot read '{}' to identify this build", path.string()));
  const std::string bytes((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
  return fnv1a_hex(bytes);
}

}  // namespace

std::optional<int> launcher_world_size() {
  if (auto size = positive_env("OMPI_COMM_WORLD_SIZE")) return size;
  if (auto size = positive_env("PMI_SIZE")) return size;
  if (std::getenv("PMIX_RANK")) return 0;
  return std::nullopt;
}

World& load_world() {
  const std::optional<std::filesystem::path> path = find_library();
  if (!path)
    throw Error(
        fmt::format("an MPI launcher started this gos with several processes, but {} was not found next to "
                    "the gos binary or in {}: this gos was built without MPI (GOS_WITH_MPI=OFF, or "
                    "libopenmpi-dev missing). Every process would run the whole experiment, so none does; "
                    "rebuild with MPI, or run gos without mpirun",
                    kLibraryName, GOS_MPI_RELATIVE_DIR));
  // RTLD_GLOBAL: Open MPI's own components, which it loads itself, need to
  // see libmpi's symbols. Never closed: the world lives in its static storage.
  void* library = dlopen(path->c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (!library) throw Error(fmt::format("{} failed to load: {}", path->string(), dlerror()));
  void* entry = dlsym(library, kWorldEntryPoint);
  if (!entry) throw Error(fmt::format("{} has no entry point '{}'", path->string(), kWorldEntryPoint));
  return reinterpret_cast<WorldEntryPoint*>(entry)();
}

std::vector<std::pair<std::string, std::string>> build_id(const PluginRegistry& registry,
                                                          const std::vector<std::filesystem::path>& extra) {
  std::vector<std::filesystem::path> files;
  boost::dll::fs::error_code ec;
  files.push_back(boost::dll::program_location(ec));
  files.push_back(boost::dll::symbol_location(gos_version, ec));
  if (const auto library = find_library()) files.push_back(*library);
  for (const PluginRecord* record : registry.plugins())
    if (registry.is_loaded(record->name)) files.push_back(record->path);
  files.insert(files.end(), extra.begin(), extra.end());
  std::vector<std::pair<std::string, std::string>> id;
  for (const std::filesystem::path& file : files) id.emplace_back(file.filename().string(), file_hash(file));
  return id;
}

}  // namespace gos::mpi
