#include "KernelShims.h"
#include <sched.h>

void nnk_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

void nnk_wait_until_at_least(const int64_t *p, int64_t target) {
    unsigned spins = 0;
    while (__atomic_load_n(p, __ATOMIC_ACQUIRE) < target) {
        if (++spins < 4096) nnk_cpu_relax();
        else sched_yield();
    }
}

// Stored plus one, so that a new thread's zero reads as "not bound".
static _Thread_local long bound_core_plus_one;

long nnk_thread_bound_core(void) { return bound_core_plus_one - 1; }

void nnk_set_thread_bound_core(long core) { bound_core_plus_one = core + 1; }

int nnk_cpu_has_avx2_fma(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

int nnk_cpu_has_avx512f(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
#else
    return 0;
#endif
}
