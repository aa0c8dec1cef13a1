// ChaCha20 block function against RFC 8439's test vectors, and many blocks at once (the
// eight-lane path and a partial tail) against the Python `cryptography` package's ChaCha20;
// every lane width against one block at a time.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "privtune/dp/chacha20.h"

namespace {

using namespace privtune::dp;

// Little-endian words as the RFC serialises them, as one hex string.
std::string hex_bytes(const uint32_t* words, int count) {
  std::string out;
  char byte[3];
  for (int w = 0; w < count; ++w)
    for (int b = 0; b < 4; ++b) {
      std::snprintf(byte, sizeof(byte), "%02x", (words[w] >> (8 * b)) & 0xff);
      out += byte;
    }
  return out;
}

TEST(ChaCha20, Rfc8439Section232) {
  ChaChaKey key;  // 00 01 02 ... 1f
  for (uint32_t w = 0; w < 8; ++w) key[w] = (4 * w) | (4 * w + 1) << 8 | (4 * w + 2) << 16 | (4 * w + 3) << 24;
  const ChaChaNonce nonce = {0x09000000, 0x4a000000, 0x00000000};  // 00 00 00 09 00 00 00 4a 00 00 00 00
  uint32_t block[16];
  chacha20_blocks(key, nonce, /*first_counter=*/1, 1, block);
  EXPECT_EQ(hex_bytes(block, 16),
            "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
            "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e");
}

TEST(ChaCha20, Rfc8439AppendixA1Vector1) {
  uint32_t block[16];
  chacha20_blocks(ChaChaKey{}, ChaChaNonce{}, 0, 1, block);
  EXPECT_EQ(hex_bytes(block, 16),
            "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
            "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586");
}

TEST(ChaCha20, ManyBlocksMatchReference) {
  ChaChaKey key;  // bytes (7 i + 3) mod 256
  for (uint32_t w = 0; w < 8; ++w) {
    key[w] = 0;
    for (uint32_t b = 0; b < 4; ++b) key[w] |= ((7 * (4 * w + b) + 3) % 256) << (8 * b);
  }
  const ChaChaNonce nonce = {0x04030201, 0x08070605, 0x0c0b0a09};
  std::vector<uint32_t> blocks(16 * 11);
  chacha20_blocks(key, nonce, /*first_counter=*/7, 11, blocks.data());  // 8 lanes + a tail of 3
  const std::vector<uint32_t> block3 = {0xb7c8bb1c, 0xbaad4e2d, 0x8f285f49, 0x126e8164, 0x51a3d2d8, 0x861038f3,
                                        0x499a8cc3, 0x0f06a4b2, 0xeb2c4c1c, 0x8de974b3, 0xe1baaa0d, 0xb7644817,
                                        0x07dafd6d, 0x74447454, 0x667fc291, 0x52c766d2};
  const std::vector<uint32_t> block10 = {0x1b650a0d, 0xd4ab740d, 0x0ac94395, 0xed35ab96, 0x1eabfa61, 0x96793e53,
                                         0xfdb00064, 0xa23a0724, 0x8f428c0f, 0xb76f3c76, 0x0f12b392, 0xddd84198,
                                         0xdaa3a49d, 0xc2ff0b13, 0xed616c7d, 0x613133b9};
  EXPECT_EQ(std::vector<uint32_t>(blocks.begin() + 16 * 3, blocks.begin() + 16 * 4), block3);
  EXPECT_EQ(std::vector<uint32_t>(blocks.begin() + 16 * 10, blocks.end()), block10);
  // Any block alone equals the same block within the run.
  uint32_t alone[16];
  chacha20_blocks(key, nonce, 7 + 10, 1, alone);
  EXPECT_EQ(std::vector<uint32_t>(alone, alone + 16), block10);
}

TEST(ChaCha20, EveryLanePathGivesTheBlocksOneAtATime) {
  // 45 blocks: two sixteen-lane groups where the CPU has AVX-512, then eight lanes and a tail
  // of five (else five eight-lane groups and the tail); the counter crosses no lane boundary
  // on purpose (first counter 3).
  const ChaChaKey key = {0x01234567, 0x89abcdef, 0xdeadbeef, 0x0badf00d, 17, 18, 19, 20};
  const ChaChaNonce nonce = {5, 6, 7};
  std::vector<uint32_t> together(16 * 45);
  chacha20_blocks(key, nonce, 3, 45, together.data());
  for (uint32_t block = 0; block < 45; ++block) {
    uint32_t alone[16];
    chacha20_blocks(key, nonce, 3 + block, 1, alone);
    EXPECT_EQ(std::vector<uint32_t>(alone, alone + 16),
              std::vector<uint32_t>(together.begin() + 16 * block, together.begin() + 16 * (block + 1)))
        << "block " << block;
  }
}

}  // namespace
