#include "privtune/train/schedule.h"

#include <algorithm>
#include <cmath>

namespace privtune::train {

double Schedule::lr_at(int64_t step) const {
  // Step s applies the rate HF's LambdaLR gives after s scheduler steps, except that
  // warm-up starts at 1/warmup rather than 0 so that the first step is not wasted.
  if (step < warmup_steps) return peak_lr * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
  if (kind == "constant") return peak_lr;
  const double decay_steps = static_cast<double>(std::max<int64_t>(1, total_steps - warmup_steps));
  const double progress = std::min(1.0, static_cast<double>(step - warmup_steps) / decay_steps);
  if (kind == "cosine") return peak_lr * 0.5 * (1.0 + std::cos(M_PI * progress));
  return peak_lr * (1.0 - progress);
}

}  // namespace privtune::train
