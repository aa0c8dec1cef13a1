// Learning-rate schedules with linear warm-up, as Hugging Face's get_*_schedule_with_warmup.
#pragma once

#include <cstdint>
#include <string>

namespace privtune::train {

struct Schedule {
  std::string kind = "linear";  // constant | linear | cosine
  double peak_lr = 1e-4;
  int64_t warmup_steps = 0;
  int64_t total_steps = 1;

  // The learning rate of step `step` (0-based): peak * (step + 1) / warmup during warm-up,
  // then constant, linear decay to 0 at total_steps, or half a cosine to 0.
  double lr_at(int64_t step) const;
};

}  // namespace privtune::train
