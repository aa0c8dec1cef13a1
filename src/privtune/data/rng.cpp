#include "privtune/data/rng.h"

namespace privtune::data {

namespace {

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// -Wpedantic rejects the __int128 extension unless it is marked as one.
__extension__ typedef unsigned __int128 u128;

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

uint64_t fnv1a64(std::string_view text) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ull;
  }
  return h;
}

Rng::Rng(uint64_t seed, std::string_view stream) : Rng(seed, stream, 0) {}

Rng::Rng(uint64_t seed, std::string_view stream, uint64_t index) {
  uint64_t state = seed;
  uint64_t a = splitmix64(state) ^ fnv1a64(stream);
  uint64_t b = splitmix64(a) ^ index;
  uint64_t sm = splitmix64(b);
  for (uint64_t& word : s_) word = splitmix64(sm);
}

uint64_t Rng::next_u64() {
  uint64_t result = rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

uint64_t Rng::uniform(uint64_t n) {
  // Lemire, "Fast random integer generation in an interval" (2019).
  u128 m = static_cast<u128>(next_u64()) * n;
  auto low = static_cast<uint64_t>(m);
  if (low < n) {
    uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<u128>(next_u64()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

int64_t Rng::range(int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(uniform(static_cast<uint64_t>(hi - lo) + 1));
}

bool Rng::bernoulli(double q) {
  if (!(q > 0.0)) return false;
  if (q >= 1.0) return true;
  // q * 2^64 is exact in binary floating point and its conversion is correctly rounded,
  // so the threshold is the same on every IEEE-754 platform.
  auto threshold = static_cast<uint64_t>(q * 18446744073709551616.0);
  return next_u64() < threshold;
}

}  // namespace privtune::data
