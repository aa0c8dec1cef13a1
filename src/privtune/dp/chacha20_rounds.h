// The 20 rounds of the ChaCha20 block function (RFC 8439 section 2.3), generic over the word
// type: uint32_t (one block; also on a CUDA device, noise_cuda.cu) or a GCC vector of them
// (one block per lane, chacha20.cpp). Header-only so that g++ and nvcc compile the same code.
#pragma once

#include <cstdint>

#if defined(__CUDACC__)
#define PRIVTUNE_CHACHA_INLINE __host__ __device__ __forceinline__
#else
#define PRIVTUNE_CHACHA_INLINE [[gnu::always_inline]] inline
#endif

namespace privtune::dp::chacha {

// State words 0..3: "expand 32-byte k" (a function, not an array: usable in device code).
PRIVTUNE_CHACHA_INLINE constexpr uint32_t constant_word(int w) {
  return w == 0 ? 0x61707865 : w == 1 ? 0x3320646e : w == 2 ? 0x79622d32 : 0x6b206574;
}

template <int bits, typename V>
PRIVTUNE_CHACHA_INLINE void xor_rotate(V& d, const V& a) {  // d = (d ^ a) <<< bits
  const V x = d ^ a;
  d = (x << bits) | (x >> (32 - bits));
}

template <typename V>
PRIVTUNE_CHACHA_INLINE void quarter_round(V& a, V& b, V& c, V& d) {
  a += b, xor_rotate<16>(d, a);
  c += d, xor_rotate<12>(b, c);
  a += b, xor_rotate<8>(d, a);
  c += d, xor_rotate<7>(b, c);
}

// x: the 16 state words, permuted in place by 10 column rounds and 10 diagonal rounds (the
// caller then adds the initial state).
template <typename V>
PRIVTUNE_CHACHA_INLINE void rounds(V* x) {
  for (int round = 0; round < 10; ++round) {
    quarter_round(x[0], x[4], x[8], x[12]);
    quarter_round(x[1], x[5], x[9], x[13]);
    quarter_round(x[2], x[6], x[10], x[14]);
    quarter_round(x[3], x[7], x[11], x[15]);
    quarter_round(x[0], x[5], x[10], x[15]);
    quarter_round(x[1], x[6], x[11], x[12]);
    quarter_round(x[2], x[7], x[8], x[13]);
    quarter_round(x[3], x[4], x[9], x[14]);
  }
}

}  // namespace privtune::dp::chacha
