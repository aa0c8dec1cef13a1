// box_muller.h for AVX2 with FMA: compiled with -mavx2 -mfma (src/privtune/dp/CMakeLists.txt),
// called only when the CPU has both.
#if defined(__AVX2__) && defined(__FMA__)
#include <sleef.h>

#include "privtune/dp/box_muller_simd.h"

namespace privtune::dp {

void box_muller_avx2(const uint32_t* words, int64_t pairs, double scale, double* normals) {
  box_muller_lanes<__m256d>(words, pairs, scale, normals, Sleef_finz_logd4_u10avx2, Sleef_finz_sqrtd4_u05avx2,
                            Sleef_finz_sincospid4_u05avx2);
}

}  // namespace privtune::dp
#endif
