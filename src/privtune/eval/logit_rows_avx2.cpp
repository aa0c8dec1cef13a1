// logit_rows.h for AVX2 with FMA: compiled with -mavx2 -mfma (src/privtune/eval/CMakeLists.txt),
// called only when the CPU has both. No torch headers here: inline code built for AVX2 must not
// be shared with callers on other CPUs.
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#include <sleef.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace privtune::eval {

namespace {

float lane_max(__m256 v) {  // the largest of 8 lanes
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

float lane_sum(__m256 v) {  // the sum of 8 lanes
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

}  // namespace

// Rows [begin, end) of logit_row_losses; false when a row is not finite.
bool logit_rows_avx2(const float* logits, int64_t begin, int64_t end, int64_t vocab, const int64_t* targets,
                     float* losses, int64_t* argmax) {
  const int64_t whole = vocab / 8 * 8;
  for (int64_t r = begin; r < end; ++r) {
    if (targets[r] < 0 || targets[r] >= vocab) return false;  // torch's path reports it
    const float* x = logits + r * vocab;
    __m256 maxes = _mm256_set1_ps(-INFINITY);
    for (int64_t j = 0; j < whole; j += 8) maxes = _mm256_max_ps(maxes, _mm256_loadu_ps(x + j));
    float max = lane_max(maxes);
    for (int64_t j = whole; j < vocab; ++j) max = std::max(max, x[j]);

    // Two accumulators halve the chain of dependent additions.
    const __m256 shift = _mm256_set1_ps(max);
    __m256 sum0 = _mm256_setzero_ps(), sum1 = _mm256_setzero_ps();
    int64_t first = -1;
    int64_t j = 0;
    for (; j + 16 <= whole; j += 16) {
      const __m256 a = _mm256_loadu_ps(x + j), b = _mm256_loadu_ps(x + j + 8);
      if (first < 0) {
        const int hits = _mm256_movemask_ps(_mm256_cmp_ps(a, shift, _CMP_EQ_OQ)) |
                         _mm256_movemask_ps(_mm256_cmp_ps(b, shift, _CMP_EQ_OQ)) << 8;
        if (hits != 0) first = j + __builtin_ctz(static_cast<unsigned>(hits));
      }
      sum0 = _mm256_add_ps(sum0, Sleef_finz_expf8_u10avx2(_mm256_sub_ps(a, shift)));
      sum1 = _mm256_add_ps(sum1, Sleef_finz_expf8_u10avx2(_mm256_sub_ps(b, shift)));
    }
    float sum = lane_sum(_mm256_add_ps(sum0, sum1));
    for (; j < vocab; ++j) {
      if (first < 0 && x[j] == max) first = j;
      sum += std::exp(x[j] - max);
    }
    // A NaN or an infinity anywhere makes the sum or the maximum non-finite.
    if (!std::isfinite(max) || !std::isfinite(sum)) return false;
    losses[r] = max + std::log(sum) - x[targets[r]];
    if (argmax != nullptr) argmax[r] = first;
  }
  return true;
}

}  // namespace privtune::eval
#endif
