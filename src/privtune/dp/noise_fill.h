// The CPU side of the DP noise (noise.h): values of a (key, nonce) ChaCha20 stream turned
// into Gaussian noise, in parallel blocks on torch's intra-op threads.
//
// A file of its own because at::parallel_for is an inline OpenMP loop: it runs in parallel
// only in code compiled with -fopenmp, which this file is (src/privtune/dp/CMakeLists.txt)
// and the rest of the project, sharing torch's precompiled header, is not. Without it the
// noise ran on one thread whatever torch was given (docs/performance.md, issue 6).
#pragma once

#include <cstdint>

#include "privtune/dp/chacha20.h"

namespace privtune::dp {

constexpr int64_t kNormalsPerBlock = 8;  // a ChaCha20 block's 16 words = 4 pairs of 64-bit uniforms

// Noise values first .. first + n - 1 of the stream (first a multiple of the values per
// block, kNormalsPerBlock / summands), times stddev, written to out[0 .. n). Block i gives
// four Box-Muller pairs in double (box_muller.h), each normal scaled by stddev / sqrt(summands):
// eight values (summands 1) or two halved sums of four (summands 4). The result does not
// depend on the thread count. Returns how many threads took part (1 when n is small).
int fill_noise(const ChaChaKey& key, const ChaChaNonce& nonce, int64_t first, int64_t n, double stddev,
               int64_t summands, float* out);
int fill_noise(const ChaChaKey& key, const ChaChaNonce& nonce, int64_t first, int64_t n, double stddev,
               int64_t summands, double* out);

}  // namespace privtune::dp
