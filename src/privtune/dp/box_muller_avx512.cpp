// box_muller.h for AVX-512: compiled with -mavx512f (src/privtune/dp/CMakeLists.txt), called
// only when the CPU has it.
#if defined(__AVX512F__)
#include <sleef.h>

#include "privtune/dp/box_muller_simd.h"

namespace privtune::dp {

void box_muller_avx512(const uint32_t* words, int64_t pairs, double scale, double* normals) {
  box_muller_lanes<__m512d>(words, pairs, scale, normals, Sleef_finz_logd8_u10avx512f, Sleef_finz_sqrtd8_u05avx512f,
                            Sleef_finz_sincospid8_u05avx512f);
}

}  // namespace privtune::dp
#endif
