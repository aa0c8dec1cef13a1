// Which examples form each logical batch (DESIGN.md section 6).
//
// - poisson: every example (or, with groups, every user) joins each batch independently
//   with probability q, so batch sizes vary; this is what DP accountants assume.
// - shuffle: a fresh random permutation per epoch cut into batches (optionally length
//   bucketed); not private, for debugging and non-DP baselines.
// - sequential: the data in order, wrapping around; not private.
//
// Every draw is a function of (seed, step) or (seed, epoch), so a sampler is deterministic
// given its seed and its state is a few integers: state() / restore() let a resumed run
// continue with exactly the batches it would have seen.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "privtune/core/json_util.h"

namespace privtune::data {

enum class SamplingKind { kPoisson, kShuffle, kSequential };

// "poisson", "shuffle" or "sequential"; anything else is an Error.
SamplingKind parse_sampling(const std::string& name);
const char* sampling_name(SamplingKind kind);

struct SamplerOptions {
  SamplingKind kind = SamplingKind::kPoisson;
  int64_t n = 0;           // examples
  int64_t batch_size = 0;  // shuffle/sequential: rows per batch; poisson: expected batch (sets q when q is 0)
  double q = 0.0;          // poisson sampling rate
  uint64_t seed = 0;
  bool drop_last = false;  // shuffle/sequential: drop a short final batch of an epoch
  // Poisson over groups (user-level DP): group id of every example, 0-based; a sampled
  // group brings all its examples. Empty: every example is its own group.
  std::vector<int64_t> groups;
  // Shuffle only: token lengths of the examples and a window (in batches) for length
  // bucketing; 0 disables bucketing.
  std::vector<int64_t> lengths;
  int64_t bucket_batches = 0;
};

class Sampler {
 public:
  virtual ~Sampler() = default;
  // The next logical batch: example indices (ascending for poisson, batch order
  // otherwise). A poisson batch may be empty.
  virtual std::vector<int64_t> next() = 0;
  // Batches drawn so far.
  virtual int64_t step() const = 0;
  // Passes over the data so far (poisson: step * q).
  virtual double epochs() const = 0;
  // Everything needed to continue; restore() rejects a state from different options.
  virtual core::Json state() const = 0;
  virtual void restore(const core::Json& state) = 0;
  // Whether a DP accountant may rely on this sampling (only poisson).
  virtual bool is_private() const { return false; }
};

// Throws Error for invalid options (n < 1, batch_size < 1, q outside (0, 1], groups of the
// wrong length).
std::unique_ptr<Sampler> make_sampler(const SamplerOptions& options);

}  // namespace privtune::data
