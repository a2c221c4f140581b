#include "framework/progress.h"

#include <unistd.h>

#include <iostream>

namespace gos {

ProgressLine::ProgressLine() : ProgressLine(std::cerr, isatty(STDERR_FILENO) == 1) {}

ProgressLine::ProgressLine(std::ostream& out, bool terminal) : out_(out), terminal_(terminal) {}

ProgressLine::~ProgressLine() { finish(); }

void ProgressLine::update(const std::string& text) {
  if (!terminal_) return;
  out_ << "\r\x1b[K" << text << std::flush;  // \x1b[K clears what a longer line left
  drawn_ = true;
}

void ProgressLine::step(const std::string& text) {
  if (terminal_) {
    update(text);
  } else {
    out_ << text << '\n' << std::flush;
  }
}

void ProgressLine::note(const std::string& text) {
  if (drawn_) out_ << "\r\x1b[K";
  out_ << text << '\n' << std::flush;
  drawn_ = false;
}

void ProgressLine::finish() {
  if (!drawn_) return;
  out_ << '\n' << std::flush;
  drawn_ = false;
}

}  // namespace gos
