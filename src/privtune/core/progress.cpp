#include "privtune/core/progress.h"

#include <unistd.h>

#include <cstdio>

namespace privtune::core {

std::string format_duration(double seconds) {
  if (!(seconds >= 0) || seconds > 1e8) return "?";
  const long s = static_cast<long>(seconds + 0.5);
  char text[32];
  if (s >= 3600)
    std::snprintf(text, sizeof text, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  else if (s >= 60)
    std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%lds", s);
  return text;
}

Progress::Progress(std::string label, int64_t total, int64_t every, bool enabled)
    : label_(std::move(label)),
      total_(total),
      every_(every < 1 ? 1 : every),
      enabled_(enabled),
      terminal_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()) {}

void Progress::update(int64_t done, const std::string& status) {
  if (!enabled_) return;
  if (first_ < 0) first_ = done - 1 < 0 ? 0 : done - 1, start_ = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = done > first_ ? elapsed / static_cast<double>(done - first_) : 0.0;
  const std::string eta = format_duration(rate * static_cast<double>(total_ - done));
  if (terminal_) {
    constexpr int kWidth = 24;
    const int filled = total_ > 0 ? static_cast<int>(kWidth * done / total_) : kWidth;
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\r\033[K%s [%s] %lld/%lld %s ETA %s", label_.c_str(), bar.c_str(),
                 static_cast<long long>(done), static_cast<long long>(total_), status.c_str(), eta.c_str());
    std::fflush(stderr);
    bar_shown_ = true;
    return;
  }
  if (done != total_ && done - last_printed_ < every_ && last_printed_ >= 0) return;
  last_printed_ = done;
  std::fprintf(stderr, "%s %lld/%lld %s elapsed %s ETA %s\n", label_.c_str(), static_cast<long long>(done),
               static_cast<long long>(total_), status.c_str(), format_duration(elapsed).c_str(), eta.c_str());
}

void Progress::message(const std::string& line) {
  if (!enabled_) return;
  std::fprintf(stderr, "%s%s\n", terminal_ && bar_shown_ ? "\r\033[K" : "", line.c_str());
  bar_shown_ = false;
}

void Progress::finish() {
  if (enabled_ && terminal_ && bar_shown_) std::fprintf(stderr, "\n");
  bar_shown_ = false;
}

}  // namespace privtune::core
