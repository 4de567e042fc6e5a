// A C interface over Google Benchmark, so the Swift harness can register kernels and read
// back every repetition's timing. Google Benchmark does the timing loop and iteration
// count; the harness writes its own CSV from the runs collected here.
#ifndef GBENCH_SHIM_H
#define GBENCH_SHIM_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Runs the benchmarked operation once.
typedef void (*gbs_body_fn)(void *context);

/// Registers one benchmark, timed in wall-clock (real) time. `flops` and `bytes` are per
/// iteration and become rate counters in Google Benchmark's own console output.
void gbs_register(const char *name, gbs_body_fn body, void *context, double flops, double bytes);

/// Parses --benchmark_* flags. Returns the number of arguments it did not recognise.
int gbs_initialize(int argc, char **argv);

/// One repetition of one benchmark.
typedef struct {
    const char *name;            // the name given to gbs_register
    int64_t iterations;
    double real_seconds;         // accumulated over all iterations
    double cpu_seconds;
    int64_t repetition_index;
    int error_occurred;
    const char *error_message;
} gbs_run;

typedef void (*gbs_run_sink)(void *context, const gbs_run *run);

/// Runs the registered benchmarks that match --benchmark_filter, handing each repetition
/// (not the aggregates) to `sink`. Returns the number of benchmarks run.
size_t gbs_run_all(gbs_run_sink sink, void *context);

/// Forgets every registered benchmark.
void gbs_clear(void);

#ifdef __cplusplus
}
#endif
#endif
