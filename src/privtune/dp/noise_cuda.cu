// DP noise on a CUDA device: one thread per ChaCha20 block (RFC 8439 section 2.3, as
// chacha20.cpp computes it on the CPU), its 16 words turned into 8 normals by Box-Muller in
// double precision (the mapping of box_muller.h), summed into 8 / summands noise values.
#include "privtune/dp/noise_cuda.h"

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "privtune/dp/chacha20_rounds.h"

namespace privtune::dp {

namespace {

constexpr int kThreads = 256;
constexpr int kNormalsPerBlock = 8;

// By value into the kernel's parameter space: no device allocation for the key.
struct StreamArgs {
  uint32_t key[8];
  uint32_t nonce[3];
  uint32_t first_block;  // counter of the block that gives out[0]
  int64_t n;             // values to write
  double scale;          // stddev / sqrt(summands), applied to each normal
};

// Block `counter` of the stream: 16 words, the state after 20 rounds plus the initial state.
__host__ __device__ __forceinline__ void chacha20_block(const StreamArgs& args, uint32_t counter, uint32_t out[16]) {
  uint32_t initial[16];
  for (int w = 0; w < 4; ++w) initial[w] = chacha::constant_word(w);
  for (int w = 0; w < 8; ++w) initial[4 + w] = args.key[w];
  initial[12] = counter;
  for (int w = 0; w < 3; ++w) initial[13 + w] = args.nonce[w];
  uint32_t x[16];
  for (int w = 0; w < 16; ++w) x[w] = initial[w];
  chacha::rounds(x);
  for (int w = 0; w < 16; ++w) out[w] = x[w] + initial[w];
}

// The values of block `block` (counted from args.first_block): out[block * (8 / kSummands) ...],
// those below args.n; kAdd adds them to out instead (the noise cast to T, then added in T, as
// the CPU's add_ does). Host-callable too, so that a test can check it against the CPU's
// generator on a machine without a GPU.
template <typename T, int kSummands, bool kAdd = false>
__host__ __device__ void block_noise(const StreamArgs& args, int64_t block, T* out) {
  constexpr int kValuesPerBlock = kNormalsPerBlock / kSummands;
  const int64_t first_value = block * kValuesPerBlock;
  if (first_value >= args.n) return;
  uint32_t words[16];
  chacha20_block(args, args.first_block + static_cast<uint32_t>(block), words);
  double normals[kNormalsPerBlock];
  for (int pair = 0; pair < kNormalsPerBlock / 2; ++pair) {
    const uint32_t* w = words + 4 * pair;
    const uint64_t x = w[0] | static_cast<uint64_t>(w[1]) << 32;
    const uint64_t y = w[2] | static_cast<uint64_t>(w[3]) << 32;
    const double u1 = static_cast<double>((x >> 11) + 1) * 0x1.0p-53;  // (0, 1]
    const double half_turns = static_cast<double>(y >> 11) * 0x1.0p-52;  // 2 u2: the angle over pi
    const double radius = sqrt(log(u1) * -2.0) * args.scale;
    double sin_part, cos_part;
    sincospi(half_turns, &sin_part, &cos_part);
    normals[2 * pair] = radius * cos_part;
    normals[2 * pair + 1] = radius * sin_part;
  }
  for (int v = 0; v < kValuesPerBlock; ++v) {
    if (first_value + v >= args.n) return;
    double sum = 0;
    for (int k = 0; k < kSummands; ++k) sum += normals[v * kSummands + k];
    if (kAdd) out[first_value + v] += static_cast<T>(sum);
    else out[first_value + v] = static_cast<T>(sum);
  }
}

// One thread per block.
template <typename T, int kSummands, bool kAdd>
__global__ void noise_kernel(StreamArgs args, T* out) {
  block_noise<T, kSummands, kAdd>(args, static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x, out);
}

template <typename T, bool kAdd>
void launch(const StreamArgs& args, int summands, void* out, cudaStream_t stream) {
  const int64_t blocks = (args.n * summands + kNormalsPerBlock - 1) / kNormalsPerBlock;
  const auto grid = static_cast<unsigned>((blocks + kThreads - 1) / kThreads);
  if (summands == 4) noise_kernel<T, 4, kAdd><<<grid, kThreads, 0, stream>>>(args, static_cast<T*>(out));
  else noise_kernel<T, 1, kAdd><<<grid, kThreads, 0, stream>>>(args, static_cast<T*>(out));
}

}  // namespace

void fill_noise_cuda(const ChaChaKey& key, const ChaChaNonce& nonce, int64_t first, int64_t n, double stddev,
                     int summands, bool wide, bool add, void* out, void* stream) {
  if (summands != 1 && summands != 4) throw std::logic_error("fill_noise_cuda: summands must be 1 or 4");
  const int64_t per_block = kNormalsPerBlock / summands;
  if (first % per_block != 0) throw std::logic_error("fill_noise_cuda: first must start a ChaCha block");
  if (n <= 0) return;
  StreamArgs args{};
  for (int w = 0; w < 8; ++w) args.key[w] = key[static_cast<size_t>(w)];
  for (int w = 0; w < 3; ++w) args.nonce[w] = nonce[static_cast<size_t>(w)];
  args.first_block = static_cast<uint32_t>(first / per_block);
  args.n = n;
  args.scale = stddev / sqrt(static_cast<double>(summands));
  const auto cuda_stream = static_cast<cudaStream_t>(stream);
  if (wide && add) launch<double, true>(args, summands, out, cuda_stream);
  else if (wide) launch<double, false>(args, summands, out, cuda_stream);
  else if (add) launch<float, true>(args, summands, out, cuda_stream);
  else launch<float, false>(args, summands, out, cuda_stream);
  const cudaError_t status = cudaGetLastError();
  if (status != cudaSuccess)
    throw std::runtime_error(std::string("noise: the CUDA noise kernel did not start: ") + cudaGetErrorString(status));
}

}  // namespace privtune::dp
