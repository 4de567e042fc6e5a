// A persistent pool of worker threads that spin briefly between jobs before sleeping, as
// OpenBLAS and OpenMP runtimes do. On this class of virtual machine a parked thread takes
// 60 to 500 microseconds to wake, longer than many kernels run; a spinning one starts at once.
#ifndef NNK_WORKER_POOL_H
#define NNK_WORKER_POOL_H

typedef struct nnk_pool nnk_pool;

/// Runs one worker's share of a job: `worker` is 0 (the caller) to workers - 1.
typedef void (*nnk_pool_job)(void *context, long worker);

/// Called once on each pool thread as it starts, with its worker index (1 ... threads - 1).
typedef void (*nnk_pool_thread_start)(long worker);

/// Creates a pool for jobs of up to `threads` workers: threads - 1 pool threads plus the caller.
/// Pool threads spin for about `spin_microseconds` after a job before they sleep.
nnk_pool *nnk_pool_create(long threads, long spin_microseconds, nnk_pool_thread_start on_start);

/// Runs `job(context, w)` for w in 0 ..< workers, w = 0 on the calling thread, and returns when
/// all are done. When the pool is already running a job (another caller, or a nested call),
/// the caller runs every share itself, in order: jobs must never wait for a share that has not
/// started. Returns the number of threads that took part.
long nnk_pool_run(nnk_pool *pool, long workers, nnk_pool_job job, void *context);

#endif
