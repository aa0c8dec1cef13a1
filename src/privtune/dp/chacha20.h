// The ChaCha20 block function (RFC 8439 section 2.3): a cryptographically secure,
// counter-based generator. Block i of a (key, nonce) stream is computed on its own, so any
// range of blocks can be produced in parallel and in any order with the same result.
#pragma once

#include <array>
#include <cstdint>

namespace privtune::dp {

using ChaChaKey = std::array<uint32_t, 8>;    // 256 bits, little-endian words
using ChaChaNonce = std::array<uint32_t, 3>;  // 96 bits

// Blocks first_counter .. first_counter + count - 1 of the stream: 16 words (64 bytes, as
// little-endian words) each, written to out[16 * i ...]. The 32-bit counter must not wrap.
void chacha20_blocks(const ChaChaKey& key, const ChaChaNonce& nonce, uint32_t first_counter, int64_t count,
                     uint32_t* out);

}  // namespace privtune::dp
