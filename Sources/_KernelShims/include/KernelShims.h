// Small C helpers the Swift kernels need and the standard library does not give directly.
#ifndef NNK_KERNEL_SHIMS_H
#define NNK_KERNEL_SHIMS_H

#include <stdint.h>
#include "WorkerPool.h"
#include "ThreadScratch.h"

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

// MARK: Thread binding

/// The core this thread was last bound to by `ThreadPinning`, or -1: binding is a system call
/// (a microsecond or more), and every parallel region binds its calling thread.
long nnk_thread_bound_core(void);
void nnk_set_thread_bound_core(long core);

// MARK: Prefetch

/// Asks for the cache line at `p` in L1, for writing: the microkernel's C tile is fetched while
/// the k loop runs instead of stalling the stores at its end.
static inline void nnk_prefetch_for_write(const void *p) { __builtin_prefetch(p, 1, 3); }
/// Asks for the cache line at `p` in L1, for reading.
static inline void nnk_prefetch_for_read(const void *p) { __builtin_prefetch(p, 0, 3); }
/// Asks for the cache line at `p` in L2, for reading (prefetcht1).
static inline void nnk_prefetch_to_l2(const void *p) { __builtin_prefetch(p, 0, 2); }

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

// MARK: Lane selection

/// Lanes 0, 2, ..., 14 of the sixteen floats `a` then `b`: one in-lane shuffle and one
/// cross-lane permute on AVX (stride-2 pooling's taps). Swift's `SIMD16.evenHalf` builds it
/// from narrower pieces.
static inline nnk_float8 nnk_even_lanes16(nnk_float8 a, nnk_float8 b) {
    return __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14);
}

/// Eight 32-bit integers, as Swift's SIMD8<Int32>.
typedef int32_t nnk_int8 __attribute__((ext_vector_type(8)));

/// `table[index[i] & 7]` in each lane i: one `vpermps` on AVX2 (Swift has no variable lane
/// permute); lane by lane elsewhere, with the same results.
static inline nnk_float8 nnk_lookup8(nnk_float8 table, nnk_int8 index) {
#if defined(__AVX2__)
    return __builtin_ia32_permvarsf256(table, index);
#else
    nnk_float8 out;
    for (int i = 0; i < 8; i++) { out[i] = table[index[i] & 7]; }
    return out;
#endif
}

// MARK: Transposes

/// Eight floats at any 4-byte alignment, for rows of a matrix that are not 32-byte aligned.
typedef float nnk_float8_unaligned __attribute__((ext_vector_type(8), aligned(4)));

/// The transpose of eight rows held in registers, `r[i][j]` -> `c[j][i]`: three rounds of
/// shuffles (the unpack / shuffle / 128-bit permute sequence of AVX).
static inline void nnk_transpose8_registers(const nnk_float8 r[8], nnk_float8 c[8]) {
    // Pairs of rows interleaved within each 128-bit half.
    nnk_float8 t0 = __builtin_shufflevector(r[0], r[1], 0, 8, 1, 9, 4, 12, 5, 13);
    nnk_float8 t1 = __builtin_shufflevector(r[0], r[1], 2, 10, 3, 11, 6, 14, 7, 15);
    nnk_float8 t2 = __builtin_shufflevector(r[2], r[3], 0, 8, 1, 9, 4, 12, 5, 13);
    nnk_float8 t3 = __builtin_shufflevector(r[2], r[3], 2, 10, 3, 11, 6, 14, 7, 15);
    nnk_float8 t4 = __builtin_shufflevector(r[4], r[5], 0, 8, 1, 9, 4, 12, 5, 13);
    nnk_float8 t5 = __builtin_shufflevector(r[4], r[5], 2, 10, 3, 11, 6, 14, 7, 15);
    nnk_float8 t6 = __builtin_shufflevector(r[6], r[7], 0, 8, 1, 9, 4, 12, 5, 13);
    nnk_float8 t7 = __builtin_shufflevector(r[6], r[7], 2, 10, 3, 11, 6, 14, 7, 15);
    // Four rows' values of columns j and j + 4 in each vector.
    nnk_float8 u0 = __builtin_shufflevector(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);
    nnk_float8 u1 = __builtin_shufflevector(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
    nnk_float8 u2 = __builtin_shufflevector(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);
    nnk_float8 u3 = __builtin_shufflevector(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
    nnk_float8 u4 = __builtin_shufflevector(t4, t6, 0, 1, 8, 9, 4, 5, 12, 13);
    nnk_float8 u5 = __builtin_shufflevector(t4, t6, 2, 3, 10, 11, 6, 7, 14, 15);
    nnk_float8 u6 = __builtin_shufflevector(t5, t7, 0, 1, 8, 9, 4, 5, 12, 13);
    nnk_float8 u7 = __builtin_shufflevector(t5, t7, 2, 3, 10, 11, 6, 7, 14, 15);
    // Halves of rows 0-3 and 4-7 joined: column j of the block.
    c[0] = __builtin_shufflevector(u0, u4, 0, 1, 2, 3, 8, 9, 10, 11);
    c[1] = __builtin_shufflevector(u1, u5, 0, 1, 2, 3, 8, 9, 10, 11);
    c[2] = __builtin_shufflevector(u2, u6, 0, 1, 2, 3, 8, 9, 10, 11);
    c[3] = __builtin_shufflevector(u3, u7, 0, 1, 2, 3, 8, 9, 10, 11);
    c[4] = __builtin_shufflevector(u0, u4, 4, 5, 6, 7, 12, 13, 14, 15);
    c[5] = __builtin_shufflevector(u1, u5, 4, 5, 6, 7, 12, 13, 14, 15);
    c[6] = __builtin_shufflevector(u2, u6, 4, 5, 6, 7, 12, 13, 14, 15);
    c[7] = __builtin_shufflevector(u3, u7, 4, 5, 6, 7, 12, 13, 14, 15);
}

/// Writes the transpose of the 8 x 8 block at `src` (rows `src_stride` floats apart) to `dst`
/// (rows `dst_stride` apart): eight row loads, the shuffles, eight row stores. Layout changes
/// between NCHW and channels-last are this block over every image.
static inline void nnk_transpose8x8(const float *src, long src_stride, float *dst, long dst_stride) {
    nnk_float8 r[8], c[8];
    for (int i = 0; i < 8; i++) r[i] = *(const nnk_float8_unaligned *)(src + i * src_stride);
    nnk_transpose8_registers(r, c);
    for (int j = 0; j < 8; j++) *(nnk_float8_unaligned *)(dst + j * dst_stride) = c[j];
}

/// Packs eight k steps of six rows of A (rows `lda` floats apart) into a GEMM micro-panel of
/// MR = 6: `dst[q * 6 + r] = src[r * lda + q]`, 48 floats. The rows are transposed in registers
/// with two zero rows, and each column's eight lanes are stored six floats after the last, so
/// every store overwrites the previous one's two spare lanes: the last store also writes two
/// floats past the 48, which the caller must own and overwrite afterwards.
static inline void nnk_pack_a6x8(const float *src, long lda, float *dst) {
    nnk_float8 r[8], c[8];
    for (int i = 0; i < 6; i++) r[i] = *(const nnk_float8_unaligned *)(src + i * lda);
    r[6] = (nnk_float8){0, 0, 0, 0, 0, 0, 0, 0};
    r[7] = r[6];
    nnk_transpose8_registers(r, c);
    for (int j = 0; j < 8; j++) *(nnk_float8_unaligned *)(dst + j * 6) = c[j];
}

/// Four floats at any 4-byte alignment.
typedef float nnk_float4_unaligned __attribute__((ext_vector_type(4), aligned(4)));
typedef float nnk_float4 __attribute__((ext_vector_type(4)));

/// The transpose of four rows of eight floats: column j of the block in `c[j]`. Two rounds of
/// in-lane shuffles, then each 128-bit half is one column. The same first rounds as the 8 x 8
/// transpose, which stays written out: built from two of these, it compiled to 87 vector
/// instructions per 8 x 8 block against 79 (clang, -march=znver4).
static inline void nnk_transpose4x8_registers(nnk_float8 r0, nnk_float8 r1, nnk_float8 r2, nnk_float8 r3,
                                              nnk_float4 c[8]) {
    nnk_float8 t0 = __builtin_shufflevector(r0, r1, 0, 8, 1, 9, 4, 12, 5, 13);
    nnk_float8 t1 = __builtin_shufflevector(r0, r1, 2, 10, 3, 11, 6, 14, 7, 15);
    nnk_float8 t2 = __builtin_shufflevector(r2, r3, 0, 8, 1, 9, 4, 12, 5, 13);
    nnk_float8 t3 = __builtin_shufflevector(r2, r3, 2, 10, 3, 11, 6, 14, 7, 15);
    // Columns j and j + 4 of the four rows.
    nnk_float8 u0 = __builtin_shufflevector(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);
    nnk_float8 u1 = __builtin_shufflevector(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
    nnk_float8 u2 = __builtin_shufflevector(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);
    nnk_float8 u3 = __builtin_shufflevector(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
    c[0] = __builtin_shufflevector(u0, u0, 0, 1, 2, 3);
    c[1] = __builtin_shufflevector(u1, u1, 0, 1, 2, 3);
    c[2] = __builtin_shufflevector(u2, u2, 0, 1, 2, 3);
    c[3] = __builtin_shufflevector(u3, u3, 0, 1, 2, 3);
    c[4] = __builtin_shufflevector(u0, u0, 4, 5, 6, 7);
    c[5] = __builtin_shufflevector(u1, u1, 4, 5, 6, 7);
    c[6] = __builtin_shufflevector(u2, u2, 4, 5, 6, 7);
    c[7] = __builtin_shufflevector(u3, u3, 4, 5, 6, 7);
}

/// Packs eight k steps of MR = 12 rows, whose eight values each start at `rows[i] + offset`, into
/// a GEMM micro-panel: `dst[q * 12 + i] = rows[i][offset + q]`, 96 floats and nothing past them.
/// Rows 0-7 are an 8 x 8 transpose, rows 8-11 a 4 x 8 one.
static inline void nnk_pack_a12x8_rows(const float *const *rows, long offset, float *dst) {
    nnk_float8 r[8], c[8];
    nnk_float4 d[8];
    for (int i = 0; i < 8; i++) r[i] = *(const nnk_float8_unaligned *)(rows[i] + offset);
    nnk_transpose8_registers(r, c);
    nnk_transpose4x8_registers(*(const nnk_float8_unaligned *)(rows[8] + offset),
                               *(const nnk_float8_unaligned *)(rows[9] + offset),
                               *(const nnk_float8_unaligned *)(rows[10] + offset),
                               *(const nnk_float8_unaligned *)(rows[11] + offset), d);
    for (int j = 0; j < 8; j++) {
        *(nnk_float8_unaligned *)(dst + j * 12) = c[j];
        *(nnk_float4_unaligned *)(dst + j * 12 + 8) = d[j];
    }
}

/// `nnk_pack_a12x8_rows` for twelve rows `lda` floats apart from `src`.
static inline void nnk_pack_a12x8(const float *src, long lda, float *dst) {
    const float *rows[12];
    for (int i = 0; i < 12; i++) rows[i] = src + i * lda;
    nnk_pack_a12x8_rows(rows, 0, dst);
}

/// Packs eight k steps of MR = 4 rows (`lda` floats apart) into a micro-panel:
/// `dst[q * 4 + i] = src[i * lda + q]`, 32 floats.
static inline void nnk_pack_a4x8(const float *src, long lda, float *dst) {
    nnk_float4 d[8];
    nnk_transpose4x8_registers(*(const nnk_float8_unaligned *)src, *(const nnk_float8_unaligned *)(src + lda),
                               *(const nnk_float8_unaligned *)(src + 2 * lda),
                               *(const nnk_float8_unaligned *)(src + 3 * lda), d);
    for (int j = 0; j < 8; j++) *(nnk_float4_unaligned *)(dst + j * 4) = d[j];
}

/// `nnk_pack_a6x8` with each of the six rows at its own address: the six output pixels of an
/// implicit im2col micro-panel, each reading one tap's run of channels (or a row of zeros, on
/// padding). Writes the same 48 floats and the same two spare floats past them.
static inline void nnk_pack_a6x8_rows(const float *r0, const float *r1, const float *r2, const float *r3,
                                      const float *r4, const float *r5, float *dst) {
    nnk_float8 r[8], c[8];
    r[0] = *(const nnk_float8_unaligned *)r0;
    r[1] = *(const nnk_float8_unaligned *)r1;
    r[2] = *(const nnk_float8_unaligned *)r2;
    r[3] = *(const nnk_float8_unaligned *)r3;
    r[4] = *(const nnk_float8_unaligned *)r4;
    r[5] = *(const nnk_float8_unaligned *)r5;
    r[6] = (nnk_float8){0, 0, 0, 0, 0, 0, 0, 0};
    r[7] = r[6];
    nnk_transpose8_registers(r, c);
    for (int j = 0; j < 8; j++) *(nnk_float8_unaligned *)(dst + j * 6) = c[j];
}

// MARK: CPU features, asked of the CPU at run time.

int nnk_cpu_has_avx2_fma(void);
int nnk_cpu_has_avx512f(void);

#endif
