// Small C helpers the Swift kernels need and the standard library does not give directly.
#ifndef NNK_KERNEL_SHIMS_H
#define NNK_KERNEL_SHIMS_H

#include <stdint.h>
#include "WorkerPool.h"

// MARK: Atomics on plain integers (the parallel GEMM schedule hands out work through these).

static inline int64_t nnk_atomic_fetch_add(int64_t *p, int64_t v) {
    return __atomic_fetch_add(p, v, __ATOMIC_ACQ_REL);
}
static inline int64_t nnk_atomic_load(const int64_t *p) {
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
static inline void nnk_atomic_store(int64_t *p, int64_t v) {
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}
/// Raises *p to v if it is lower (never lowers it), with release order.
static inline void nnk_atomic_max(int64_t *p, int64_t v) {
    int64_t current = __atomic_load_n(p, __ATOMIC_ACQUIRE);
    while (current < v && !__atomic_compare_exchange_n(p, &current, v, 1, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    }
}
/// Spin-wait hint; falls back to yielding the CPU after many spins (see nnk_wait_until_at_least).
void nnk_cpu_relax(void);
/// Waits until *p >= target. Spins briefly, then yields, so oversubscribed runs still progress.
void nnk_wait_until_at_least(const int64_t *p, int64_t target);

// MARK: Prefetch

/// Asks for the cache line at `p` in L1, for writing: the microkernel's C tile is fetched while
/// the k loop runs instead of stalling the stores at its end.
static inline void nnk_prefetch_for_write(const void *p) { __builtin_prefetch(p, 1, 3); }

// MARK: Non-temporal stores

/// Eight floats, as Swift's SIMD8<Float>.
typedef float nnk_float8 __attribute__((ext_vector_type(8)));

/// Stores eight floats at `p` (32-byte aligned) around the caches: for outputs too large to
/// stay in the last-level cache, this saves reading each line before overwriting it.
static inline void nnk_stream_store8(float *p, nnk_float8 v) {
    __builtin_nontemporal_store(v, (nnk_float8 *)p);
}
/// Orders the non-temporal stores before what follows (they are weakly ordered).
static inline void nnk_store_fence(void) { __builtin_ia32_sfence(); }

// MARK: CPU features, asked of the CPU at run time.

int nnk_cpu_has_avx2_fma(void);
int nnk_cpu_has_avx512f(void);

#endif
