#include "privtune/dp/chacha20.h"

#include <algorithm>

namespace privtune::dp {

namespace {

// Eight blocks side by side, one per lane of a GCC/Clang vector type: each operation below
// is then a couple of SIMD instructions (SSE2 or better), several times faster than one
// block at a time. Vectors are passed by reference (a by-value 32-byte vector would change
// the ABI without AVX).
constexpr int kLanes = 8;
typedef uint32_t Lanes __attribute__((vector_size(4 * kLanes)));

template <int bits>
inline void xor_rotate(Lanes& d, const Lanes& a) {  // d = (d ^ a) <<< bits
  const Lanes x = d ^ a;
  d = (x << bits) | (x >> (32 - bits));
}

inline void quarter_round(Lanes& a, Lanes& b, Lanes& c, Lanes& d) {
  a += b, xor_rotate<16>(d, a);
  c += d, xor_rotate<12>(b, c);
  a += b, xor_rotate<8>(d, a);
  c += d, xor_rotate<7>(b, c);
}

// On x86-64, compiled twice, for AVX2 (the 8 lanes in one register: twice as fast) and for
// the baseline (SSE2), and picked at load time by the CPU it runs on.
#if defined(__x86_64__) && defined(__GNUC__)
#define PRIVTUNE_SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define PRIVTUNE_SIMD_CLONES
#endif

// kLanes consecutive blocks from `counter`, written block after block: out[lane * 16 + word].
PRIVTUNE_SIMD_CLONES void eight_blocks(const ChaChaKey& key, const ChaChaNonce& nonce, uint32_t counter, uint32_t* out) {
  const uint32_t constants[4] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};  // "expand 32-byte k"
  Lanes initial[16];
  for (int w = 0; w < 4; ++w) initial[w] = Lanes{} + constants[w];
  for (int w = 0; w < 8; ++w) initial[4 + w] = Lanes{} + key[static_cast<size_t>(w)];
  static_assert(kLanes == 8, "one counter offset per lane");
  initial[12] = Lanes{0, 1, 2, 3, 4, 5, 6, 7} + counter;
  for (int w = 0; w < 3; ++w) initial[13 + w] = Lanes{} + nonce[static_cast<size_t>(w)];
  Lanes x[16];
  for (int w = 0; w < 16; ++w) x[w] = initial[w];
  for (int round = 0; round < 10; ++round) {  // 20 rounds: column then diagonal
    quarter_round(x[0], x[4], x[8], x[12]);
    quarter_round(x[1], x[5], x[9], x[13]);
    quarter_round(x[2], x[6], x[10], x[14]);
    quarter_round(x[3], x[7], x[11], x[15]);
    quarter_round(x[0], x[5], x[10], x[15]);
    quarter_round(x[1], x[6], x[11], x[12]);
    quarter_round(x[2], x[7], x[8], x[13]);
    quarter_round(x[3], x[4], x[9], x[14]);
  }
  for (int w = 0; w < 16; ++w) {
    const Lanes word = x[w] + initial[w];
    for (int lane = 0; lane < kLanes; ++lane) out[lane * 16 + w] = word[lane];
  }
}

}  // namespace

void chacha20_blocks(const ChaChaKey& key, const ChaChaNonce& nonce, uint32_t first_counter, int64_t count,
                     uint32_t* out) {
  for (int64_t done = 0; done < count; done += kLanes) {
    const uint32_t counter = first_counter + static_cast<uint32_t>(done);
    if (count - done >= kLanes) {
      eight_blocks(key, nonce, counter, out + 16 * done);
    } else {  // a partial group: compute all lanes, keep the ones asked for
      uint32_t tail[kLanes * 16];
      eight_blocks(key, nonce, counter, tail);
      std::copy(tail, tail + 16 * (count - done), out + 16 * done);
    }
  }
}

}  // namespace privtune::dp
