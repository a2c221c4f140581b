#pragma once
// The commands that need LibTorch live in libgos_torch_commands.so, which the
// gos binary loads only when one of them runs: every other command starts
// without mapping LibTorch (docs/PERFORMANCE.md, start-up). The binary knows
// their names and summaries without loading the library, for `gos --help`.
#include <filesystem>
#include <optional>
#include <vector>

#include "cli/commands.h"

namespace gos::cli {

// Name and summary of every torch command; `run` is empty (see run_torch_command).
const std::vector<Command>& torch_command_summaries();

// Where the torch command library is expected: beside the binary (build
// tree) or in ../lib/gos (installed). nullopt when neither exists.
std::optional<std::filesystem::path> find_torch_command_library();

// Loads the library and runs `name` with `args`; a clear error when this gos
// was built without LibTorch or the library is missing or broken.
int run_torch_command(const std::string& name, const Args& args);

// The entry point the library exports: its command table.
inline constexpr const char* kTorchCommandsEntryPoint = "gos_torch_commands";
using TorchCommandsEntryPoint = const std::vector<Command>*();

}  // namespace gos::cli
