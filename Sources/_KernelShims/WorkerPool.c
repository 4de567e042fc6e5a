#define _GNU_SOURCE
#include "WorkerPool.h"
#include "KernelShims.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

struct nnk_pool {
    long threads;
    long spin_ns;
    pthread_mutex_t run_lock;     // one job at a time
    pthread_mutex_t sleep_lock;   // guards sleepers and the condition
    pthread_cond_t wake;
    long sleepers;
    // Job state, published by bumping `generation` with release order.
    int64_t generation;
    int64_t pending;              // shares handed to pool threads not yet finished
    long active;                  // workers in the current job
    nnk_pool_job job;
    void *context;
    nnk_pool_thread_start on_start;
};

typedef struct {
    nnk_pool *pool;
    long worker;
} nnk_thread_arg;

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void *worker_main(void *raw) {
    nnk_thread_arg arg = *(nnk_thread_arg *)raw;
    free(raw);
    nnk_pool *pool = arg.pool;
    if (pool->on_start) pool->on_start(arg.worker);
    int64_t seen = 0;
    for (;;) {
        // Spin on the generation for a while, then sleep until it changes.
        int64_t start = now_ns();
        unsigned spins = 0;
        while (nnk_atomic_load(&pool->generation) == seen) {
            nnk_cpu_relax();
            if ((++spins & 255) == 0 && now_ns() - start > pool->spin_ns) {
                pthread_mutex_lock(&pool->sleep_lock);
                pool->sleepers++;
                while (nnk_atomic_load(&pool->generation) == seen) pthread_cond_wait(&pool->wake, &pool->sleep_lock);
                pool->sleepers--;
                pthread_mutex_unlock(&pool->sleep_lock);
            }
        }
        seen = nnk_atomic_load(&pool->generation);
        if (arg.worker < pool->active) {
            pool->job(pool->context, arg.worker);
            nnk_atomic_fetch_add(&pool->pending, -1);
        }
    }
    return NULL;
}

nnk_pool *nnk_pool_create(long threads, long spin_microseconds, nnk_pool_thread_start on_start) {
    nnk_pool *pool = calloc(1, sizeof(nnk_pool));
    if (!pool) return NULL;
    pool->threads = threads < 1 ? 1 : threads;
    pool->spin_ns = spin_microseconds * 1000;
    pool->on_start = on_start;
    pthread_mutex_init(&pool->run_lock, NULL);
    pthread_mutex_init(&pool->sleep_lock, NULL);
    pthread_cond_init(&pool->wake, NULL);
    for (long worker = 1; worker < pool->threads; worker++) {
        nnk_thread_arg *arg = malloc(sizeof(nnk_thread_arg));
        arg->pool = pool;
        arg->worker = worker;
        pthread_t thread;
        if (pthread_create(&thread, NULL, worker_main, arg) != 0) {
            free(arg);
            pool->threads = worker;
            break;
        }
        pthread_detach(thread);
    }
    return pool;
}

long nnk_pool_run(nnk_pool *pool, long workers, nnk_pool_job job, void *context) {
    if (workers <= 1 || pool->threads <= 1 || pthread_mutex_trylock(&pool->run_lock) != 0) {
        for (long worker = 0; worker < workers; worker++) job(context, worker);
        return 1;
    }
    long helpers = workers - 1 < pool->threads - 1 ? workers - 1 : pool->threads - 1;
    pool->job = job;
    pool->context = context;
    pool->active = helpers + 1;
    nnk_atomic_store(&pool->pending, helpers);
    nnk_atomic_fetch_add(&pool->generation, 1);
    pthread_mutex_lock(&pool->sleep_lock);
    if (pool->sleepers > 0) pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->sleep_lock);
    job(context, 0);
    // Shares beyond the pool's size run here, after the caller's own.
    for (long worker = helpers + 1; worker < workers; worker++) job(context, worker);
    while (nnk_atomic_load(&pool->pending) > 0) nnk_cpu_relax();
    pthread_mutex_unlock(&pool->run_lock);
    return helpers + 1;
}
