// The C heap's policy for large blocks. Tensors on the CPU are allocated with the C
// library's malloc; by default glibc serves every block above a few megabytes (a (B, T, V)
// logits tensor, an activation, a gradient) with a fresh mmap and returns it with munmap
// when freed, and gives the top of the heap back to the system soon after. Every training
// step then faults in hundreds of megabytes of zeroed pages again: on this project's 2-core
// machine that cost 3-4x the arithmetic of a step of the built-in model (docs/performance.md).
#pragma once

namespace privtune::core {

// Keeps freed blocks in the heap for reuse: large blocks come from the heap (up to 1 GiB)
// and freed memory stays with the process (up to 1 GiB at the top of the heap). Peak
// memory is unchanged in kind (the process already held that memory once); what changes is
// that the process keeps it until it exits. Does nothing when the user has set glibc's own
// malloc settings (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_, MALLOC_TOP_PAD_ or
// GLIBC_TUNABLES), or when PRIVTUNE_MALLOC=default. Call once, first thing in main().
void keep_freed_memory();

}  // namespace privtune::core
