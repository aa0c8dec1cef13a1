// Gaussian noise for DP-SGD from a cryptographically secure generator (DESIGN.md section 6).
//
// ChaCha20 (chacha20.h) keyed from OS entropy, or from a seed for reproducible runs, which
// are then not for release. Each add() draws from its own stream (nonce = the number of
// earlier add() calls); within it, ChaCha block i gives eight normals by Box-Muller in double
// precision from 53-bit uniforms (box_muller.h, vectorised). Blocks are generated in parallel
// on the CPU (at::parallel_for), or on the GPU itself for a CUDA tensor when the build has the
// CUDA kernel (noise_cuda.h; else on the CPU and copied). The result does not depend on the
// thread count; on a GPU it differs from the CPU's only in the last bits (CUDA's log and sincospi).
//
// By default each noise value is the sum of four such normals, halved (Holohan and Braghin
// 2021, as Opacus' secure mode): a single floating-point Box-Muller output reveals which
// few uniforms could have produced it, and with them the value it was added to (Mironov
// 2012; Jin et al. 2021 for Gaussians); a sum of four hides them behind ~2^159 candidates.
// It costs four times the generation (docs/dp-clipping.md).
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "privtune/core/json_util.h"
#include "privtune/dp/chacha20.h"

namespace privtune::dp {

// How a noise value is drawn: one Box-Muller normal (the attackable textbook sampler, kept
// for benchmarks and for resuming runs checkpointed before the default changed), or the
// mean-preserving sum of four, halved (same N(0, stddev^2) law).
enum class NoiseSampler { kBoxMuller, kSumOfFour };
const char* noise_sampler_name(NoiseSampler sampler);  // "box-muller", "sum-of-4"

class GaussianNoise {
 public:
  // Keyed from OS entropy (getrandom); for release.
  static GaussianNoise secure(NoiseSampler sampler = NoiseSampler::kSumOfFour);
  // Reproducible; runs using it are "not for release".
  static GaussianNoise seeded(uint64_t seed, NoiseSampler sampler = NoiseSampler::kSumOfFour);
  bool for_release() const { return secure_; }
  NoiseSampler sampler() const { return sampler_; }

  // t += N(0, stddev^2) elementwise, in place; t floating point, any dtype/device.
  // privtune::Error for a negative or non-finite stddev.
  void add(torch::Tensor& t, double stddev);

  // Seeded: {"generator": "chacha20", "mode": "seeded", "sampler", "seed", "streams"};
  // restore() then continues the stream where state() left it, with its sampler (a state
  // without one is from before sum-of-4: box-muller). Secure: {"mode": "secure", "sampler",
  // "resumable": false}; restore() re-keys from entropy (a secure stream cannot be resumed,
  // by design). restore() throws privtune::Error for a malformed state or one of the other
  // mode.
  core::Json state() const;
  void restore(const core::Json& state);

 private:
  GaussianNoise(bool secure, uint64_t seed, NoiseSampler sampler);

  bool secure_;
  NoiseSampler sampler_;
  uint64_t seed_;          // seeded only
  ChaChaKey key_;
  uint64_t streams_ = 0;   // add() calls so far: the next call's nonce
};

}  // namespace privtune::dp
