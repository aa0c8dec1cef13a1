// box_muller.h for AVX2 with FMA: compiled with -mavx2 -mfma (src/privtune/dp/CMakeLists.txt),
// called only when the CPU has both.
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#include <sleef.h>

#include "privtune/dp/box_muller_simd.h"

namespace privtune::dp {

void box_muller_avx2(const uint32_t* words, int64_t pairs, double scale, double* normals) {
  const auto sqrt = [](__m256d x) { return _mm256_sqrt_pd(x); };
  box_muller_lanes<__m256d>(words, pairs, scale, normals, Sleef_finz_logd4_u35avx2, sqrt,
                            Sleef_finz_sincospid4_u35avx2);
}

}  // namespace privtune::dp
#endif
