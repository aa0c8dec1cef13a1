// What the accountants account for: runs of identical DP-SGD steps.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace privtune::dp {

// `steps` steps of the Poisson-subsampled Gaussian mechanism: every example joins the batch
// with probability q, and the clipped sum (sensitivity 1 in units of the clipping norm C) gets
// N(0, sigma^2) noise per coordinate. Neighbouring datasets differ by adding or removing one
// example (or one user, with --dp-unit user).
struct StepSegment {
  double q = 0.0;
  double sigma = 0.0;
  int64_t steps = 0;
};

// Throws privtune::Error with a one-line message unless q in (0, 1], sigma >= 0 (finite),
// steps >= 1.
void validate_segment(const StepSegment& segment);

// Throws privtune::Error unless delta in (0, 1).
void validate_delta(double delta);

// Total number of steps.
int64_t total_steps(const std::vector<StepSegment>& segments);

// True when some segment has sigma = 0: no privacy at all, epsilon = +inf for every delta < 1.
bool has_zero_noise(const std::vector<StepSegment>& segments);

}  // namespace privtune::dp
