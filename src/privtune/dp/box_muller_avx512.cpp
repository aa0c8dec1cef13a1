// box_muller.h for AVX-512: compiled with -mavx512f (src/privtune/dp/CMakeLists.txt), called
// only when the CPU has it.
#if defined(__AVX512F__)
#include <immintrin.h>
#include <sleef.h>

#include "privtune/dp/box_muller_simd.h"

namespace privtune::dp {

void box_muller_avx512(const uint32_t* words, int64_t pairs, double scale, double* normals) {
  // The zero-masked form with every lane kept: _mm512_sqrt_pd starts from an undefined
  // register, which GCC 12 reports as maybe-uninitialized.
  const auto sqrt = [](__m512d x) { return _mm512_maskz_sqrt_pd(0xff, x); };
  box_muller_lanes<__m512d>(words, pairs, scale, normals, Sleef_finz_logd8_u35avx512f, sqrt,
                            Sleef_finz_sincospid8_u35avx512f);
}

}  // namespace privtune::dp
#endif
