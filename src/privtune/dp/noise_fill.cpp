#include "privtune/dp/noise_fill.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <cmath>

#include "privtune/dp/box_muller.h"

namespace privtune::dp {

namespace {

constexpr int64_t kBlocksPerCall = 64;  // blocks per chacha20_blocks call inside a thread

template <typename T>
int fill(const ChaChaKey& key, const ChaChaNonce& nonce, int64_t first, int64_t n, double stddev, int64_t summands,
         T* out) {
  static_assert(kBlocksPerCall * kNormalsPerBlock / 2 <= kMaxBoxMullerPairs, "one box_muller call per group");
  const int64_t per_block = kNormalsPerBlock / summands;  // values per block
  const double scale = stddev / std::sqrt(static_cast<double>(summands));
  const int64_t blocks = (n + per_block - 1) / per_block;
  const int64_t first_block = first / per_block;
  std::atomic<int> workers{0};
  at::parallel_for(0, blocks, /*grain_size=*/4 * kBlocksPerCall, [&](int64_t begin, int64_t end) {
    ++workers;
    uint32_t words[16 * kBlocksPerCall];
    double normals[kNormalsPerBlock * kBlocksPerCall];
    for (int64_t b = begin; b < end; b += kBlocksPerCall) {
      const int64_t count = std::min(kBlocksPerCall, end - b);
      chacha20_blocks(key, nonce, static_cast<uint32_t>(first_block + b), count, words);
      box_muller(words, count * kNormalsPerBlock / 2, scale, normals);
      const int64_t first_value = b * per_block;  // index in out of this group's first value
      const int64_t values = std::min(count * per_block, n - first_value);
      for (int64_t v = 0; v < values; ++v) {
        double sum = 0;
        for (int64_t k = 0; k < summands; ++k) sum += normals[v * summands + k];
        out[first_value + v] = static_cast<T>(sum);
      }
    }
  });
  return workers.load();
}

}  // namespace

int fill_noise(const ChaChaKey& key, const ChaChaNonce& nonce, int64_t first, int64_t n, double stddev,
               int64_t summands, float* out) {
  return fill(key, nonce, first, n, stddev, summands, out);
}

int fill_noise(const ChaChaKey& key, const ChaChaNonce& nonce, int64_t first, int64_t n, double stddev,
               int64_t summands, double* out) {
  return fill(key, nonce, first, n, stddev, summands, out);
}

}  // namespace privtune::dp
