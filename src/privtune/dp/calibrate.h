// Noise calibration: the smallest noise multiplier sigma whose epsilon, after `steps` steps
// at sampling rate q, is at most a target -- `--target-epsilon E` in `privtune train` and
// `privtune accountant`.
#pragma once

#include <cstdint>

#include "privtune/dp/accountant.h"

namespace privtune::dp {

struct CalibrationOptions {
  // Search range. A target that even sigma_max cannot meet is an error (too many steps or
  // too large q for that target); one that sigma_min already meets returns sigma_min.
  double sigma_min = 0.05;
  double sigma_max = 1000.0;
  // Stop when the bracket [lo, hi] has hi / lo - 1 below this.
  double relative_tolerance = 1e-4;
};

struct Calibration {
  double sigma;    // the noise multiplier to use
  double epsilon;  // the epsilon it achieves, <= the target
  bool at_sigma_min = false;  // the target allows less noise than sigma_min
};

// Bisection on log(sigma), keeping as `hi` a sigma whose computed epsilon is <= target, so the
// returned epsilon never exceeds the target even where the accountant is not exactly monotone
// in sigma. Throws privtune::Error on invalid q, steps, delta, target <= 0, or an unreachable
// target.
Calibration calibrate_sigma(AccountantKind kind, double q, int64_t steps, double delta, double target_epsilon,
                            const CalibrationOptions& options = {});

}  // namespace privtune::dp
