// The Box-Muller kernel of box_muller.h, generic over SLEEF's vector width. Included only by
// the box_muller*.cpp files, each compiled for one instruction set; it has internal linkage so
// that code built for AVX-512 can never be shared with (and run on) a CPU without it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "privtune/dp/box_muller.h"

namespace privtune::dp {
namespace {

// V: a vector of doubles (or double itself); log, sqrt, sincospi: SLEEF's functions on V
// (sincospi returns {sin, cos} as .x and .y).
template <typename V, typename Log, typename Sqrt, typename SinCosPi>
[[gnu::always_inline]] inline void box_muller_lanes(const uint32_t* words, int64_t pairs, double scale,
                                                    double* normals, Log log, Sqrt sqrt, SinCosPi sincospi) {
  constexpr int64_t kLanes = sizeof(V) / sizeof(double);
  alignas(64) double u1[kMaxBoxMullerPairs + kLanes];
  alignas(64) double half_turns[kMaxBoxMullerPairs + kLanes];  // 2 u2: the angle in units of pi
  for (int64_t p = 0; p < pairs; ++p) {
    const uint32_t* w = words + 4 * p;
    const uint64_t x = w[0] | static_cast<uint64_t>(w[1]) << 32;
    const uint64_t y = w[2] | static_cast<uint64_t>(w[3]) << 32;
    // Both at most 2^53, so the signed conversion (one instruction; the unsigned one
    // branches) is exact.
    u1[p] = static_cast<double>(static_cast<int64_t>((x >> 11) + 1)) * 0x1.0p-53;
    half_turns[p] = static_cast<double>(static_cast<int64_t>(y >> 11)) * 0x1.0p-52;
  }
  const int64_t padded = (pairs + kLanes - 1) / kLanes * kLanes;
  for (int64_t p = pairs; p < padded; ++p) u1[p] = 1, half_turns[p] = 0;  // lanes computed, not kept
  for (int64_t p = 0; p < padded; p += kLanes) {
    V u, turns;
    std::memcpy(&u, u1 + p, sizeof(V));
    std::memcpy(&turns, half_turns + p, sizeof(V));
    const V radius = sqrt(log(u) * -2.0) * scale;
    const auto sin_cos = sincospi(turns);
    const V cos_part = radius * sin_cos.y, sin_part = radius * sin_cos.x;
    double c[kLanes], s[kLanes];
    std::memcpy(c, &cos_part, sizeof(V));
    std::memcpy(s, &sin_part, sizeof(V));
    const int64_t kept = std::min(kLanes, pairs - p);
    for (int64_t lane = 0; lane < kept; ++lane) {
      normals[2 * (p + lane)] = c[lane];
      normals[2 * (p + lane) + 1] = s[lane];
    }
  }
}

}  // namespace
}  // namespace privtune::dp
