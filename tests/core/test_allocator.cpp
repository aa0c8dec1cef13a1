// core::keep_freed_memory, which every test program's main calls (tests/common/test_main.cpp).
#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <cstring>

#include "privtune/core/allocator.h"

namespace {

bool heap_policy_is_ours() {
#if defined(__SANITIZE_ADDRESS__)
  return false;  // the sanitizer's allocator replaces glibc's
#else
  for (const char* name : {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES",
                           "PRIVTUNE_MALLOC"})
    if (std::getenv(name) != nullptr) return false;
  return true;
#endif
}

TEST(Allocator, LargeBlocksComeFromTheHeapAndStayAfterFree) {
  if (!heap_policy_is_ours()) GTEST_SKIP() << "glibc's malloc settings are the user's or the sanitizer's here";
  privtune::core::keep_freed_memory();  // again: idempotent
  const size_t size = size_t{96} << 20;  // beyond glibc's default mmap threshold (at most 32 MiB)
  const struct mallinfo2 before = mallinfo2();
  char* block = static_cast<char*>(std::malloc(size));
  ASSERT_NE(block, nullptr);
  std::memset(block, 1, size);
  const struct mallinfo2 held = mallinfo2();
  EXPECT_EQ(held.hblkhd, before.hblkhd) << "the block was mmapped on its own";
  EXPECT_GE(held.arena, before.arena + size);
  std::free(block);
  const struct mallinfo2 after = mallinfo2();
  EXPECT_GE(after.arena, before.arena + size) << "the freed block was given back to the system";
}

}  // namespace
