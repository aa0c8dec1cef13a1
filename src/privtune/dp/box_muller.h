// Box-Muller in double precision over many pairs of uniforms at once, vectorised with SLEEF
// (Debian's libsleef: the vectorised math library PyTorch itself uses), for the DP noise
// (noise.h). A pair of 64-bit random words (x, y) gives two standard normals:
//   u1 = ((x >> 11) + 1) 2^-53 in (0, 1]   (53 bits; never 0, so its log is finite)
//   u2 = (y >> 11) 2^-53 in [0, 1)
//   scale sqrt(-2 ln u1) cos(2 pi u2),  scale sqrt(-2 ln u1) sin(2 pi u2)
// The angle is passed to SLEEF as 2 u2 half-turns (sincospi), which is exact, so no rounding
// of 2 pi u2 enters. Accuracy: log and sincospi within 3.5 ulp (SLEEF's u35 functions, about
// 1.6 times as fast as its 1-ulp ones in a scratch measurement), sqrt correctly rounded (the CPU's own instruction): a
// relative error of about 1e-15, far below the rounding of the noise to the parameter's dtype.
//
// One implementation per instruction set (box_muller_simd.h compiled for each); the best the
// CPU has is picked at the first call. All agree to within a few ulp (tested); seeded noise
// is therefore reproducible bit for bit on the same machine and to about 1e-15 elsewhere.
#pragma once

#include <cstdint>
#include <vector>

namespace privtune::dp {

constexpr int64_t kMaxBoxMullerPairs = 256;  // pairs per call: the buffers live on the stack

enum class SimdLevel { kScalar, kSse2, kAvx2, kAvx512 };
const char* simd_level_name(SimdLevel level);  // "scalar", "sse2", "avx2", "avx512"
std::vector<SimdLevel> supported_simd_levels();  // what this CPU runs, ascending; kScalar always
SimdLevel best_simd_level();

// words: 4 per pair (x = words[0] | words[1] << 32, y = words[2] | words[3] << 32), `pairs`
// at most kMaxBoxMullerPairs; writes normals[2 i] (cos) and normals[2 i + 1] (sin) of pair i.
void box_muller(const uint32_t* words, int64_t pairs, double scale, double* normals);
// The same with a given implementation (tests, benchmarks); std::logic_error when the CPU
// lacks it.
void box_muller(SimdLevel level, const uint32_t* words, int64_t pairs, double scale, double* normals);

}  // namespace privtune::dp
