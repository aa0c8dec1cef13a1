#include "privtune/dp/segment.h"

#include <cmath>
#include <sstream>

#include "privtune/core/error.h"

namespace privtune::dp {
namespace {

std::string str(double x) {
  std::ostringstream out;
  out.precision(17);
  out << x;
  return out.str();
}

}  // namespace

void validate_segment(const StepSegment& s) {
  check_input(s.q > 0.0 && s.q <= 1.0, "sampling rate q must be in (0, 1], got " + str(s.q));
  check_input(std::isfinite(s.sigma) && s.sigma >= 0.0,
              "noise multiplier sigma must be finite and >= 0, got " + str(s.sigma));
  check_input(s.steps >= 1, "steps must be >= 1, got " + std::to_string(s.steps));
}

void validate_delta(double delta) {
  check_input(delta > 0.0 && delta < 1.0, "delta must be in (0, 1), got " + str(delta));
}

int64_t total_steps(const std::vector<StepSegment>& segments) {
  int64_t n = 0;
  for (const auto& s : segments) n += s.steps;
  return n;
}

bool has_zero_noise(const std::vector<StepSegment>& segments) {
  for (const auto& s : segments)
    if (s.sigma == 0.0) return true;
  return false;
}

}  // namespace privtune::dp
