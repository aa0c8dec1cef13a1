// Progress of a long job: a one-line bar redrawn in place on a terminal, plain periodic
// lines otherwise (logs, CI), both on stderr so that stdout stays machine-readable.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace privtune::core {

class Progress {
 public:
  // `total` units of work; `every` units between plain lines when stderr is not a
  // terminal; `enabled` false prints nothing.
  Progress(std::string label, int64_t total, int64_t every, bool enabled = true);
  // Reports that `done` units are finished (done counts from the start of the job, and a
  // resumed job starts with done > 0); `status` is shown after the counts ("loss 2.31").
  void update(int64_t done, const std::string& status);
  // Ends the bar's line on a terminal.
  void finish();
  // Prints a line above the bar (or as a plain line).
  void message(const std::string& line);
  bool terminal() const { return terminal_; }

 private:
  std::string label_;
  int64_t total_, every_, first_ = -1, last_printed_ = -1;
  bool enabled_, terminal_, bar_shown_ = false;
  std::chrono::steady_clock::time_point start_;
};

// "1h02m", "3m05s", "12s".
std::string format_duration(double seconds);

}  // namespace privtune::core
