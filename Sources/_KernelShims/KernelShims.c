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
