// A deterministic pseudo-random generator for data generation and batch sampling.
//
// The standard library's engines are portable but its distributions are not: the same
// std::uniform_int_distribution call gives different numbers under libstdc++ and libc++.
// Datasets and samplers must be byte-identical for a seed on every platform, so every
// draw here is defined in this file: xoshiro256** seeded through splitmix64, integers by
// Lemire's unbiased multiply-and-reject, Bernoulli by comparing 64-bit words.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace privtune::data {

class Rng {
 public:
  // A stream is named so that, e.g., the test split does not shift when the train split
  // grows: Rng(seed, "train") and Rng(seed, "test") are independent.
  explicit Rng(uint64_t seed, std::string_view stream = "");
  Rng(uint64_t seed, std::string_view stream, uint64_t index);

  uint64_t next_u64();
  // Uniform in [0, n); n > 0.
  uint64_t uniform(uint64_t n);
  // Uniform in [lo, hi] (inclusive).
  int64_t range(int64_t lo, int64_t hi);
  // True with probability q (q <= 0: never, q >= 1: always); exact to 2^-64.
  bool bernoulli(double q);
  // True with probability num / den.
  bool chance(uint64_t num, uint64_t den) { return uniform(den) < num; }

  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[static_cast<size_t>(uniform(items.size()))];
  }
  template <typename T>
  void shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[uniform(i)]);
  }

 private:
  uint64_t s_[4];
};

// 64-bit FNV-1a, for deriving stream seeds from names.
uint64_t fnv1a64(std::string_view text);

}  // namespace privtune::data
