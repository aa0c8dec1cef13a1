#include "privtune/dp/box_muller.h"

#include <sleef.h>

#include <cmath>
#include <stdexcept>
#include <string>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "privtune/dp/box_muller_simd.h"

namespace privtune::dp {

#if defined(__x86_64__) && defined(__GNUC__)
#define PRIVTUNE_X86_SIMD 1
// Defined in box_muller_avx2.cpp and box_muller_avx512.cpp, compiled for those instruction sets.
void box_muller_avx2(const uint32_t* words, int64_t pairs, double scale, double* normals);
void box_muller_avx512(const uint32_t* words, int64_t pairs, double scale, double* normals);
#endif

namespace {

void box_muller_scalar(const uint32_t* words, int64_t pairs, double scale, double* normals) {
  const auto sqrt = [](double x) { return std::sqrt(x); };
  box_muller_lanes<double>(words, pairs, scale, normals, Sleef_log_u35, sqrt, Sleef_sincospi_u35);
}

#ifdef PRIVTUNE_X86_SIMD
void box_muller_sse2(const uint32_t* words, int64_t pairs, double scale, double* normals) {  // x86-64's baseline
  const auto sqrt = [](__m128d x) { return _mm_sqrt_pd(x); };
  box_muller_lanes<__m128d>(words, pairs, scale, normals, Sleef_cinz_logd2_u35sse2, sqrt,
                            Sleef_cinz_sincospid2_u35sse2);
}
#endif

bool supports(SimdLevel level) {
  switch (level) {
    case SimdLevel::kScalar: return true;
#ifdef PRIVTUNE_X86_SIMD
    case SimdLevel::kSse2: return true;
    case SimdLevel::kAvx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case SimdLevel::kAvx512: return __builtin_cpu_supports("avx512f");
#endif
    default: return false;
  }
}

}  // namespace

const char* simd_level_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::kScalar: return "scalar";
    case SimdLevel::kSse2: return "sse2";
    case SimdLevel::kAvx2: return "avx2";
    case SimdLevel::kAvx512: return "avx512";
  }
  return "?";
}

std::vector<SimdLevel> supported_simd_levels() {
  std::vector<SimdLevel> levels;
  for (SimdLevel level : {SimdLevel::kScalar, SimdLevel::kSse2, SimdLevel::kAvx2, SimdLevel::kAvx512})
    if (supports(level)) levels.push_back(level);
  return levels;
}

SimdLevel best_simd_level() {
  static const SimdLevel best = supported_simd_levels().back();
  return best;
}

void box_muller(SimdLevel level, const uint32_t* words, int64_t pairs, double scale, double* normals) {
  if (pairs < 0 || pairs > kMaxBoxMullerPairs)
    throw std::logic_error("box_muller: " + std::to_string(pairs) + " pairs in one call (at most " +
                           std::to_string(kMaxBoxMullerPairs) + ")");
  if (!supports(level)) throw std::logic_error(std::string("box_muller: this CPU lacks ") + simd_level_name(level));
  switch (level) {
    case SimdLevel::kScalar: return box_muller_scalar(words, pairs, scale, normals);
#ifdef PRIVTUNE_X86_SIMD
    case SimdLevel::kSse2: return box_muller_sse2(words, pairs, scale, normals);
    case SimdLevel::kAvx2: return box_muller_avx2(words, pairs, scale, normals);
    case SimdLevel::kAvx512: return box_muller_avx512(words, pairs, scale, normals);
#endif
    default: break;
  }
}

void box_muller(const uint32_t* words, int64_t pairs, double scale, double* normals) {
  box_muller(best_simd_level(), words, pairs, scale, normals);
}

}  // namespace privtune::dp
