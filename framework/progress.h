#pragma once
// Progress of long work, on stderr. On a terminal one line is redrawn in
// place; in a log (stderr redirected to a file or a pipe) each finished step
// is one plain line, so logs hold no '\r' frames.
#include <iosfwd>
#include <string>

namespace gos {

class ProgressLine {
 public:
  // Writes to std::cerr; redraws when stderr is a terminal.
  ProgressLine();
  ProgressLine(std::ostream& out, bool terminal);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Shows the state within a step (redrawn on a terminal, nothing in a log).
  void update(const std::string& text);
  // A finished step: redrawn on a terminal, one line in a log.
  void step(const std::string& text);
  // A message that must stay visible (a warning): its own line on both.
  void note(const std::string& text);
  // Ends a redrawn line, so that what follows starts on a fresh one.
  void finish();

 private:
  std::ostream& out_;
  bool terminal_;
  bool drawn_ = false;  // a redrawn line is on screen without its newline
};

}  // namespace gos
