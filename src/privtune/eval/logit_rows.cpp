#include "privtune/eval/logit_rows.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <cmath>

namespace privtune::eval {

#if defined(__x86_64__)
// logit_rows_avx2.cpp, compiled for AVX2 and FMA.
bool logit_rows_avx2(const float* logits, int64_t begin, int64_t end, int64_t vocab, const int64_t* targets,
                     float* losses, int64_t* argmax);
#endif

namespace {

bool cpu_has_avx2() {
#if defined(__x86_64__)
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
#else
  return false;
#endif
}

// The portable loop: the same two passes, one value at a time.
bool logit_rows_portable(const float* logits, int64_t begin, int64_t end, int64_t vocab, const int64_t* targets,
                         float* losses, int64_t* argmax) {
  for (int64_t r = begin; r < end; ++r) {
    if (targets[r] < 0 || targets[r] >= vocab) return false;  // torch's path reports it
    const float* x = logits + r * vocab;
    const float max = *std::max_element(x, x + vocab);
    double sum = 0;  // one running sum: in float it would drift by 1e-5 over 50k terms
    for (int64_t j = 0; j < vocab; ++j) sum += std::exp(x[j] - max);
    if (!std::isfinite(max) || !std::isfinite(sum)) return false;
    losses[r] = static_cast<float>(max + std::log(sum) - x[targets[r]]);
    if (argmax != nullptr) argmax[r] = std::find(x, x + vocab, max) - x;
  }
  return true;
}

}  // namespace

bool logit_row_losses(bool simd, const float* logits, int64_t rows, int64_t vocab, const int64_t* targets,
                      float* losses, int64_t* argmax) {
  auto* rows_fn = logit_rows_portable;
#if defined(__x86_64__)
  if (simd && cpu_has_avx2()) rows_fn = logit_rows_avx2;
#endif
  std::atomic<bool> finite{true};
  // A row is V exps; a few rows a task keep the threads' overhead small.
  const int64_t grain = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, vocab));
  at::parallel_for(0, rows, grain, [&](int64_t begin, int64_t end) {
    if (!rows_fn(logits, begin, end, vocab, targets, losses, argmax)) finite = false;
  });
  return finite;
}

bool logit_row_losses(const float* logits, int64_t rows, int64_t vocab, const int64_t* targets, float* losses,
                      int64_t* argmax) {
  return logit_row_losses(/*simd=*/true, logits, rows, vocab, targets, losses, argmax);
}

}  // namespace privtune::eval
