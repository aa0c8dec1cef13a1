// The DP noise of noise.h generated on a CUDA device, for tensors that live there: the same
// ChaCha20 stream and the same Box-Muller mapping (box_muller.h), one thread per ChaCha block,
// so a GPU step never waits for the CPU to make and copy its noise. Compiled only when torch
// has CUDA and nvcc is found (docs/build.md); no torch or CUDA types here, so that noise.cpp
// stays an ordinary C++ file.
//
// The values equal the CPU's up to CUDA's double-precision log and sincospi (within 2 ulp
// where SLEEF's are within 1): about 1e-15 relative, never a different random word.
#pragma once

#include <cstdint>

#include "privtune/dp/chacha20.h"

namespace privtune::dp {

// Noise values first .. first + n - 1 of the (key, nonce) stream, each the sum of `summands`
// (1 or 4) Box-Muller normals times stddev / sqrt(summands), written to out[0 .. n) (added to
// it when `add`) on the current CUDA device, in float64 when `wide`, else float32. `first`
// must be a multiple of the values per block (8 / summands). The kernel runs on `stream` (a
// cudaStream_t); throws std::runtime_error naming CUDA's error when the launch fails.
void fill_noise_cuda(const ChaChaKey& key, const ChaChaNonce& nonce, int64_t first, int64_t n, double stddev,
                     int summands, bool wide, bool add, void* out, void* stream);

}  // namespace privtune::dp
