// Every test program's main: the same heap policy as the privtune executable
// (core/allocator.h), so that tests training models in-process run at its speed.
#include <gtest/gtest.h>

#include "privtune/core/allocator.h"

int main(int argc, char** argv) {
  privtune::core::keep_freed_memory();
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
