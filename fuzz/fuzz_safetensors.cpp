// A safetensors file from a stranger: every tensor the reader accepts must lie inside the
// file, so reading its first and last byte is safe (AddressSanitizer checks the map).
#include <unistd.h>

#include <cstdio>
#include <string>

#include "fuzz_common.h"
#include "privtune/core/file_io.h"
#include "privtune/core/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The reader maps a path; a per-process file in /dev/shm keeps that cheap.
  static const std::string path = "/dev/shm/privtune_fuzz_" + std::to_string(::getpid()) + ".safetensors";
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  privtune::fuzz::accept_or_refuse([&] {
    privtune::core::SafetensorsFile file(path);
    volatile uint8_t sink = 0;
    for (const privtune::core::TensorView& t : file.tensors()) {
      if (t.nbytes > 0) sink = sink ^ t.data[0] ^ t.data[t.nbytes - 1];
      (void)t.numel();
    }
    (void)file.metadata().size();
  });
  return 0;
}
