#include "cli/torch_commands.h"

#include <fmt/format.h>

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>

#include "framework/error.h"

#ifndef GOS_TORCH_COMMANDS_RELATIVE_DIR
#define GOS_TORCH_COMMANDS_RELATIVE_DIR "../lib/gos"
#endif

namespace gos::cli {
namespace {

constexpr const char* kLibraryName = "libgos_torch_commands.so";

}  // namespace

const std::vector<Command>& torch_command_summaries() {
  static const std::vector<Command> list = {
      {"profile", "per-slot latency, share, FLOPs and inefficiency of a zoo model", {}},
      {"train", "train a zoo model on CIFAR-10 or IDX data and report accuracy", {}},
      {"adapt", "adapt a zoo model to this CPU by searched operator replacement (resumable)", {}},
      {"lut", "build a per-operator latency lookup table on a device", {}},
      {"latency", "latency datasets, predictor training and evaluation", {}},
  };
  return list;
}

std::optional<std::filesystem::path> find_torch_command_library() {
  boost::dll::fs::error_code ec;
  const std::filesystem::path exe = boost::dll::program_location(ec);
  if (ec) return std::nullopt;
  for (const std::filesystem::path& candidate :
       {exe.parent_path() / kLibraryName, exe.parent_path() / GOS_TORCH_COMMANDS_RELATIVE_DIR / kLibraryName})
    if (std::filesystem::is_regular_file(candidate)) return candidate.lexically_normal();
  return std::nullopt;
}

int run_torch_command(const std::string& name, const Args& args) {
  const std::optional<std::filesystem::path> path = find_torch_command_library();
  if (!path)
    throw Error(fmt::format("'gos {}' needs LibTorch, but {} was not found next to the gos binary or in {}; "
                            "this gos was built without LibTorch (GOS_WITH_TORCH=OFF) or is incompletely "
                            "installed",
                            name, kLibraryName, GOS_TORCH_COMMANDS_RELATIVE_DIR));
  // Kept loaded until exit: the command's objects outlive this call's frame
  // only through static storage, which must be destroyed before unloading.
  static boost::dll::shared_library library;
  boost::dll::fs::error_code ec;
  library.load(*path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (ec) throw Error(fmt::format("'gos {}': {} failed to load: {}", name, path->string(), ec.message()));
  if (!library.has(kTorchCommandsEntryPoint))
    throw Error(fmt::format("'gos {}': {} has no entry point '{}'", name, path->string(), kTorchCommandsEntryPoint));
  const std::vector<Command>* commands = library.get<TorchCommandsEntryPoint>(kTorchCommandsEntryPoint)();
  for (const Command& command : *commands)
    if (name == command.name) return command.run(args);
  throw Error(fmt::format("'gos {}': {} does not provide this command", name, path->string()));
}

}  // namespace gos::cli
