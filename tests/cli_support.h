#pragma once
// Running the built `gos` binary from tests, as a user would in a shell.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace gos::testing {

inline const std::string kGos = std::string(GOS_BINARY_DIR) + "/gos";

struct Outcome {
  int exit_code;
  std::string output;  // stdout and stderr together
};

// Runs `command` in sh with stderr joined to stdout. Redirections inside a
// (...) group keep their own meaning: "(gos x > f)" sends only stdout to f.
inline Outcome shell(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

inline Outcome gos(const std::string& args) { return shell(kGos + " " + args); }

inline std::filesystem::path write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream stream(path);
  return std::string(std::istreambuf_iterator<char>(stream), {});
}

}  // namespace gos::testing
