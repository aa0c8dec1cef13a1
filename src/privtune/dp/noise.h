// Gaussian noise for DP-SGD from a cryptographically secure generator (DESIGN.md section 6).
//
// ChaCha20 (chacha20.h) keyed from OS entropy, or from a seed for reproducible runs, which
// are then not for release. Each add() draws from its own stream (nonce = the number of
// earlier add() calls); within it, ChaCha block i gives the normals 8i .. 8i+7 by Box-Muller
// in double precision from 53-bit uniforms. Blocks are generated in parallel on the CPU
// (at::parallel_for) and copied to the tensor's device; the result depends neither on the
// thread count nor on the device.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "privtune/core/json_util.h"
#include "privtune/dp/chacha20.h"

namespace privtune::dp {

class GaussianNoise {
 public:
  static GaussianNoise secure();               // keyed from OS entropy (getrandom); for release
  static GaussianNoise seeded(uint64_t seed);  // reproducible; runs using it are "not for release"
  bool for_release() const { return secure_; }

  // t += N(0, stddev^2) elementwise, in place; t floating point, any dtype/device.
  // privtune::Error for a negative or non-finite stddev.
  void add(torch::Tensor& t, double stddev);

  // Seeded: {"generator": "chacha20", "mode": "seeded", "seed", "streams"}; restore() then
  // continues the stream where state() left it. Secure: {"mode": "secure", "resumable":
  // false}; restore() re-keys from entropy (a secure stream cannot be resumed, by design).
  // restore() throws privtune::Error for a malformed state or one of the other mode.
  core::Json state() const;
  void restore(const core::Json& state);

 private:
  GaussianNoise(bool secure, uint64_t seed);

  bool secure_;
  uint64_t seed_;          // seeded only
  ChaChaKey key_;
  uint64_t streams_ = 0;   // add() calls so far: the next call's nonce
};

}  // namespace privtune::dp
