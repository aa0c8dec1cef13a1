#include "privtune/core/allocator.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace privtune::core {

void keep_freed_memory() {
  for (const char* name : {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES"})
    if (std::getenv(name) != nullptr) return;
  const char* choice = std::getenv("PRIVTUNE_MALLOC");
  if (choice != nullptr && std::strcmp(choice, "default") == 0) return;
#ifdef M_MMAP_THRESHOLD  // glibc; other C libraries keep their own policy
  constexpr int kOneGiB = 1 << 30;
  mallopt(M_MMAP_THRESHOLD, kOneGiB);
  mallopt(M_TRIM_THRESHOLD, kOneGiB);
#endif
}

}  // namespace privtune::core
