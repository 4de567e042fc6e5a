#include "GBenchShim.h"

#include <benchmark/benchmark.h>
#include <string>
#include <vector>

namespace {

/// Collects each repetition and passes it to the Swift sink. It prints nothing: the
/// harness prints its own progress and summary.
class CollectingReporter : public benchmark::BenchmarkReporter {
public:
    CollectingReporter(gbs_run_sink sink, void *context) : sink_(sink), context_(context) {}

    bool ReportContext(const Context &) override { return true; }

    void ReportRuns(const std::vector<Run> &runs) override {
        for (const Run &run : runs) {
            if (run.run_type != Run::RT_Iteration) continue;
            const std::string name = run.run_name.function_name;
            gbs_run out;
            out.name = name.c_str();
            out.iterations = run.iterations;
            out.real_seconds = run.real_accumulated_time;
            out.cpu_seconds = run.cpu_accumulated_time;
            out.repetition_index = run.repetition_index;
            out.error_occurred = run.error_occurred ? 1 : 0;
            out.error_message = run.error_message.c_str();
            sink_(context_, &out);
        }
    }

private:
    gbs_run_sink sink_;
    void *context_;
};

}  // namespace

extern "C" void gbs_register(const char *name, gbs_body_fn body, void *context, double flops,
                             double bytes) {
    benchmark::RegisterBenchmark(name, [=](benchmark::State &state) {
        for (auto _ : state) body(context);
        if (flops > 0)
            state.counters["FLOPS"] = benchmark::Counter(
                flops, benchmark::Counter::kIsIterationInvariantRate,
                benchmark::Counter::kIs1000);
        if (bytes > 0)
            state.counters["bytes"] = benchmark::Counter(
                bytes, benchmark::Counter::kIsIterationInvariantRate,
                benchmark::Counter::kIs1024);
    })->UseRealTime();
}

extern "C" int gbs_initialize(int argc, char **argv) {
    int count = argc;
    benchmark::Initialize(&count, argv);
    return count - 1;
}

extern "C" size_t gbs_run_all(gbs_run_sink sink, void *context) {
    CollectingReporter reporter(sink, context);
    return benchmark::RunSpecifiedBenchmarks(&reporter);
}

extern "C" void gbs_clear(void) { benchmark::ClearRegisteredBenchmarks(); }
