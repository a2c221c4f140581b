#pragma once
// Error types used across GOS. Every user-facing failure is a gos::Error whose
// message is complete on its own (file, line, key, what would be valid), so the
// CLI can print it verbatim and exit non-zero.
#include <stdexcept>
#include <string>

namespace gos {

// A failure caused by input the user can fix (configuration, data files,
// command-line arguments, genome strings).
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A capability the chosen component does not offer (e.g. a search space that
// cannot produce kernels for a lookup-table latency model).
class Unsupported : public Error {
 public:
  using Error::Error;
};

// A device stopped answering (an agent killed, a board that hangs past its
// time-out). Not the candidate's fault, so the runner does not record it as a
// failed evaluation: the run stops with what it has written, to be continued
// with --resume once the device is back.
class DeviceLost : public Error {
 public:
  using Error::Error;
};

}  // namespace gos
