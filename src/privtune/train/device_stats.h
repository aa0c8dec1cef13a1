// Device facts a run reports: peak memory (resident set on the CPU, the caching
// allocator's peak on CUDA) and bf16 autocast.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace privtune::train {

// Peak resident set size of this process in bytes (getrusage).
int64_t peak_rss_bytes();
// CUDA: peak bytes allocated by torch on `device` since the last reset (0 on the CPU or in
// a build without CUDA).
int64_t device_peak_bytes(const torch::Device& device);
void reset_device_peak(const torch::Device& device);
// CUDA: makes `device` this thread's current GPU, the one that unindexed CUDA calls and
// torch::cuda::synchronize() use (a worker on cuda:1). Nothing on the CPU.
void use_device(const torch::Device& device);

// Turns bf16 autocast on for `device` while alive (CUDA; on the CPU too when asked).
class AutocastGuard {
 public:
  AutocastGuard(const torch::Device& device, bool enabled);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool enabled_ = false;
  bool cuda_ = false;
};

}  // namespace privtune::train
