#include "privtune/dp/chacha20.h"

#include <algorithm>

#include "privtune/dp/chacha20_rounds.h"

namespace privtune::dp {

namespace {

// Many blocks side by side, one per lane of a GCC/Clang vector type: each operation below is
// then a couple of SIMD instructions, several times faster than one block at a time. Vectors
// are passed by reference (a by-value 32-byte vector would change the ABI without AVX).
template <int kLanes>
struct Lanes {
  typedef uint32_t type __attribute__((vector_size(4 * kLanes)));
};

// kLanes consecutive blocks from `counter`, written block after block: out[lane * 16 + word].
// Always inlined into the functions below, each compiled for its instruction set.
template <int kLanes>
[[gnu::always_inline]] inline void lanes_of_blocks(const ChaChaKey& key, const ChaChaNonce& nonce, uint32_t counter,
                                                   uint32_t* out) {
  using V = typename Lanes<kLanes>::type;
  V initial[16];
  for (int w = 0; w < 4; ++w) initial[w] = V{} + chacha::constant_word(w);
  for (int w = 0; w < 8; ++w) initial[4 + w] = V{} + key[static_cast<size_t>(w)];
  V lane_index{};
  for (int lane = 0; lane < kLanes; ++lane) lane_index[lane] = static_cast<uint32_t>(lane);
  initial[12] = lane_index + counter;
  for (int w = 0; w < 3; ++w) initial[13 + w] = V{} + nonce[static_cast<size_t>(w)];
  V x[16];
  for (int w = 0; w < 16; ++w) x[w] = initial[w];
  chacha::rounds(x);
  for (int w = 0; w < 16; ++w) {
    const V word = x[w] + initial[w];
    for (int lane = 0; lane < kLanes; ++lane) out[lane * 16 + w] = word[lane];
  }
}

// On x86-64: eight lanes compiled twice, for AVX2 (one register per state word) and for the
// baseline (SSE2), picked at load time; and sixteen lanes for AVX-512 (one 512-bit register
// per state word, and 32 of them: twice AVX2's throughput), picked by chacha20_blocks. Sixteen
// lanes without AVX-512 would spill registers and run slower than eight.
#if defined(__x86_64__) && defined(__GNUC__)
#define PRIVTUNE_X86_SIMD 1
__attribute__((target_clones("avx2", "default")))
#endif
void eight_blocks(const ChaChaKey& key, const ChaChaNonce& nonce, uint32_t counter, uint32_t* out) {
  lanes_of_blocks<8>(key, nonce, counter, out);
}

#ifdef PRIVTUNE_X86_SIMD
__attribute__((target("avx512f"))) void sixteen_blocks(const ChaChaKey& key, const ChaChaNonce& nonce,
                                                       uint32_t counter, uint32_t* out) {
  lanes_of_blocks<16>(key, nonce, counter, out);
}
#endif

bool has_avx512() {
#ifdef PRIVTUNE_X86_SIMD
  static const bool supported = __builtin_cpu_supports("avx512f");
  return supported;
#else
  return false;
#endif
}

}  // namespace

void chacha20_blocks(const ChaChaKey& key, const ChaChaNonce& nonce, uint32_t first_counter, int64_t count,
                     uint32_t* out) {
  int64_t done = 0;
#ifdef PRIVTUNE_X86_SIMD
  if (has_avx512())
    for (; count - done >= 16; done += 16) sixteen_blocks(key, nonce, first_counter + static_cast<uint32_t>(done), out + 16 * done);
#endif
  for (; done < count; done += 8) {
    const uint32_t counter = first_counter + static_cast<uint32_t>(done);
    if (count - done >= 8) {
      eight_blocks(key, nonce, counter, out + 16 * done);
    } else {  // a partial group: compute all lanes, keep the ones asked for
      uint32_t tail[8 * 16];
      eight_blocks(key, nonce, counter, tail);
      std::copy(tail, tail + 16 * (count - done), out + 16 * done);
    }
  }
}

}  // namespace privtune::dp
