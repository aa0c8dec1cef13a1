#include "privtune/dp/noise.h"

#include <sys/random.h>

#include <cerrno>
#include <cmath>
#include <fstream>
#include <stdexcept>

#include "privtune/core/error.h"
#include "privtune/dp/noise_fill.h"
#ifdef PRIVTUNE_CUDA_NOISE  // set by src/privtune/dp/CMakeLists.txt when the CUDA kernel is built
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include "privtune/dp/noise_cuda.h"
#endif

namespace privtune::dp {

namespace {

constexpr int64_t kChunk = int64_t{1} << 20;    // values per CPU buffer: bounds the memory used
constexpr int64_t kDeviceChunk = int64_t{1} << 24;  // values per GPU buffer (64 MiB in float32)

ChaChaKey entropy_key() {
  ChaChaKey key;
  auto* bytes = reinterpret_cast<unsigned char*>(key.data());
  size_t got = 0;
  while (got < sizeof(key)) {
    const ssize_t n = getrandom(bytes + got, sizeof(key) - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    got += static_cast<size_t>(n);
  }
  if (got < sizeof(key)) {  // a kernel without getrandom(2)
    std::ifstream urandom("/dev/urandom", std::ios::binary);
    urandom.read(reinterpret_cast<char*>(bytes), sizeof(key));
    if (!urandom) throw std::runtime_error("noise: cannot read OS entropy (getrandom, /dev/urandom)");
  }
  return key;
}

ChaChaKey seed_key(uint64_t seed) {
  return {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32), 0, 0, 0, 0, 0, 0};
}

}  // namespace

const char* noise_sampler_name(NoiseSampler sampler) {
  return sampler == NoiseSampler::kSumOfFour ? "sum-of-4" : "box-muller";
}

GaussianNoise::GaussianNoise(bool secure_mode, uint64_t seed, NoiseSampler sampler)
    : secure_(secure_mode), sampler_(sampler), seed_(seed), key_(secure_mode ? entropy_key() : seed_key(seed)) {}

GaussianNoise GaussianNoise::secure(NoiseSampler sampler) { return GaussianNoise(true, 0, sampler); }

GaussianNoise GaussianNoise::seeded(uint64_t seed, NoiseSampler sampler) { return GaussianNoise(false, seed, sampler); }

void GaussianNoise::add(torch::Tensor& t, double stddev) {
  check_input(std::isfinite(stddev) && stddev >= 0,
              "noise: the standard deviation must be finite and >= 0, got " + std::to_string(stddev));
  if (!t.is_floating_point()) throw std::logic_error("noise: can only add to a floating-point tensor");
  const int64_t n = t.numel();
  const int64_t summands = sampler_ == NoiseSampler::kSumOfFour ? 4 : 1;
  if (n * summands / kNormalsPerBlock >= (int64_t{1} << 32))
    throw std::logic_error("noise: a tensor this large exceeds one ChaCha20 stream (2^32 blocks)");
  const ChaChaNonce nonce = {static_cast<uint32_t>(streams_), static_cast<uint32_t>(streams_ >> 32), 0};
  ++streams_;  // every call gets a fresh stream, even one that adds nothing
  if (stddev == 0 || n == 0) return;

  torch::NoGradGuard no_grad;
  const bool wide = t.scalar_type() == torch::kDouble;  // else float32, cast to the tensor's dtype
  const torch::ScalarType noise_dtype = wide ? torch::kDouble : torch::kFloat;
#ifdef PRIVTUNE_CUDA_NOISE
  if (t.is_cuda()) {  // made where it is added: the GPU never waits for the CPU
    const c10::cuda::CUDAGuard on_device(t.device());
    void* stream = c10::cuda::getCurrentCUDAStream(t.device().index()).stream();
    if (t.is_contiguous() && t.scalar_type() == noise_dtype) {  // straight into the tensor: one kernel
      fill_noise_cuda(key_, nonce, 0, n, stddev, static_cast<int>(summands), wide, /*add=*/true, t.data_ptr(), stream);
      return;
    }
    torch::Tensor flat = t.is_contiguous() ? t.view({-1}) : torch::zeros({n}, t.options());
    torch::Tensor chunk = torch::empty({std::min(kDeviceChunk, n)}, t.options().dtype(noise_dtype));
    for (int64_t first = 0; first < n; first += kDeviceChunk) {
      const int64_t count = std::min(kDeviceChunk, n - first);
      torch::Tensor z = chunk.narrow(0, 0, count);
      fill_noise_cuda(key_, nonce, first, count, stddev, static_cast<int>(summands), wide, /*add=*/false, z.data_ptr(),
                      stream);
      flat.narrow(0, first, count).add_(z.to(t.scalar_type()));
    }
    if (!t.is_contiguous()) t.add_(flat.view(t.sizes()));
    return;
  }
#endif
  torch::Tensor flat = t.is_contiguous() ? t.view({-1}) : torch::zeros({n}, t.options());
  torch::Tensor chunk = torch::empty({std::min(kChunk, n)}, noise_dtype);
  for (int64_t first = 0; first < n; first += kChunk) {
    const int64_t count = std::min(kChunk, n - first);
    torch::Tensor z = chunk.narrow(0, 0, count);
    if (wide) fill_noise(key_, nonce, first, count, stddev, summands, z.data_ptr<double>());
    else fill_noise(key_, nonce, first, count, stddev, summands, z.data_ptr<float>());
    flat.narrow(0, first, count).add_(z.to(t.device(), t.scalar_type()));
  }
  if (!t.is_contiguous()) t.add_(flat.view(t.sizes()));
}

core::Json GaussianNoise::state() const {
  const char* sampler = noise_sampler_name(sampler_);
  if (secure_) return {{"generator", "chacha20"}, {"mode", "secure"}, {"sampler", sampler}, {"resumable", false}};
  return {{"generator", "chacha20"}, {"mode", "seeded"}, {"sampler", sampler}, {"seed", seed_}, {"streams", streams_}};
}

void GaussianNoise::restore(const core::Json& state) {
  const std::string where = "noise state";
  const auto mode = core::json_require<std::string>(state, "mode", where);
  check_input(mode == "secure" || mode == "seeded", where + ": unknown mode '" + mode + "'");
  const std::string mine = secure_ ? "secure" : "seeded";
  check_input(mode == mine, where + ": the saved noise generator is " + mode + " but this one is " + mine);
  // A run keeps the sampler it started with (states written before sum-of-4 existed have none).
  const auto sampler = core::json_value<std::string>(state, "sampler", "box-muller", where);
  check_input(sampler == "box-muller" || sampler == "sum-of-4", where + ": unknown sampler '" + sampler + "'");
  sampler_ = sampler == "sum-of-4" ? NoiseSampler::kSumOfFour : NoiseSampler::kBoxMuller;
  if (secure_) {  // a secure stream is never resumed: continue with a fresh key
    key_ = entropy_key();
    streams_ = 0;
    return;
  }
  seed_ = core::json_require<uint64_t>(state, "seed", where);
  streams_ = core::json_require<uint64_t>(state, "streams", where);
  key_ = seed_key(seed_);
}

}  // namespace privtune::dp
