// The FMA peak measured outside the project, to check the bench's own probe against:
// twelve independent chains of 8-lane FMAs per thread on POSIX threads, in C with intrinsics.
// Each chain starts from a different value read through a volatile, so the compiler cannot
// merge identical chains into one (which would make a bogus figure twelve times too high).
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static volatile float sink;
static volatile float seed = 1.0f;

static void *chains(void *arg) {
    long steps = *(long *)arg;
    float s = seed;
    __m256 a[12];
    for (int i = 0; i < 12; i++) a[i] = _mm256_set1_ps(s + i);
    const __m256 m = _mm256_set1_ps(0.99999f), c = _mm256_set1_ps(1e-3f);
    for (long i = 0; i < steps; i++) {
        // Fully unrolled (with -O3 -funroll-loops) so the twelve chains live in registers.
#pragma GCC unroll 12
        for (int j = 0; j < 12; j++) a[j] = _mm256_fmadd_ps(a[j], m, c);
    }
    __m256 total = a[0];
    for (int i = 1; i < 12; i++) total = _mm256_add_ps(total, a[i]);
    sink = total[0];
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    long steps = 50000000;
    double best = 0;
    for (int round = 0; round < 5; round++) {
        pthread_t ids[64];
        double start = now();
        for (int t = 0; t < threads; t++) pthread_create(&ids[t], NULL, chains, &steps);
        for (int t = 0; t < threads; t++) pthread_join(ids[t], NULL);
        double rate = (double)threads * steps * 12 * 8 * 2 / (now() - start) / 1e9;
        if (rate > best) best = rate;
    }
    printf("threads %d: best of 5, %.1f GFLOPS\n", threads, best);
    return 0;
}
