#include "privtune/train/device_stats.h"

#include <ATen/autocast_mode.h>
#include <sys/resource.h>
#include <torch/version.h>

#ifdef PRIVTUNE_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#endif

// libtorch 2.4 replaced the per-device autocast setters by ones taking a device type.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define PRIVTUNE_AUTOCAST_BY_DEVICE_TYPE 1
#endif

namespace privtune::train {

int64_t peak_rss_bytes() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

int64_t device_peak_bytes(const torch::Device& device) {
#ifdef PRIVTUNE_WITH_CUDA
  if (device.is_cuda()) {
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index() < 0 ? 0 : device.index());
    return stats.allocated_bytes[static_cast<size_t>(c10::CachingAllocator::StatType::AGGREGATE)].peak;
  }
#endif
  (void)device;
  return 0;
}

void reset_device_peak(const torch::Device& device) {
#ifdef PRIVTUNE_WITH_CUDA
  if (device.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(device.index() < 0 ? 0 : device.index());
#endif
  (void)device;
}

void use_device(const torch::Device& device) {
#ifdef PRIVTUNE_WITH_CUDA
  if (device.is_cuda() && device.has_index()) c10::cuda::set_device(device.index());
#endif
  (void)device;
}

namespace {

void set_autocast(bool cuda, bool enabled) {
#ifdef PRIVTUNE_AUTOCAST_BY_DEVICE_TYPE
  const at::DeviceType type = cuda ? at::kCUDA : at::kCPU;
  at::autocast::set_autocast_dtype(type, at::kBFloat16);
  at::autocast::set_autocast_enabled(type, enabled);
#else
  if (cuda) {
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(enabled);
  } else {
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::set_cpu_enabled(enabled);
  }
#endif
}

}  // namespace

AutocastGuard::AutocastGuard(const torch::Device& device, bool enabled) : enabled_(enabled), cuda_(device.is_cuda()) {
  if (!enabled_) return;
  set_autocast(cuda_, true);
  at::autocast::increment_nesting();
}

AutocastGuard::~AutocastGuard() {
  if (!enabled_) return;
  // Like leaving Python's autocast context: the cache of casted weights lives for one
  // outermost region, so that updated weights are cast afresh next step.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_autocast(cuda_, false);
}

}  // namespace privtune::train
