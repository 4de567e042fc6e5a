// One block of scratch memory a thread keeps between kernel calls, so that a small product does
// not pay the allocator for its packed panels and counters at every call.
#ifndef NNK_THREAD_SCRATCH_H
#define NNK_THREAD_SCRATCH_H

#include <stddef.h>

/// A 64-byte aligned block of at least `bytes` (at least 64): the calling thread's kept block,
/// taken out of its keeping, when it is large enough, else a new one. `*capacity` receives the
/// block's size. Returns NULL only when the allocator fails. Give it back with
/// `nnk_scratch_give_back`. A nested take on the same thread gets a block of its own.
void *nnk_scratch_take(size_t bytes, size_t *capacity);

/// Hands a block from `nnk_scratch_take` back: the thread keeps it, as its one block, when it is
/// at most `keep_limit` bytes and larger than any block the thread already keeps; otherwise it is
/// freed. A thread's kept block is freed when the thread exits.
void nnk_scratch_give_back(void *block, size_t capacity, size_t keep_limit);

#endif
