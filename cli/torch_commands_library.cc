// libgos_torch_commands.so: the commands that need LibTorch, loaded by the gos
// binary on demand (cli/torch_commands.h).
#include "cli/torch_commands.h"

extern "C" __attribute__((visibility("default"))) const std::vector<gos::cli::Command>* gos_torch_commands() {
  using namespace gos::cli;
  static const std::vector<Command> list = [] {
    std::vector<Command> commands = torch_command_summaries();
    for (Command& command : commands) {
      const std::string name = command.name;
      if (name == "profile") command.run = profile_command;
      if (name == "train") command.run = train_command;
      if (name == "adapt") command.run = adapt_command;
      if (name == "lut") command.run = lut_command;
      if (name == "latency") command.run = latency_command;
    }
    return commands;
  }();
  return &list;
}
