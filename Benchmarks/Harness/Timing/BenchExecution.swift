import Foundation
import _KernelShims

/// Runs cases one at a time and turns their timings into report rows.
struct BenchExecution {
    let check: Bool
    private(set) var rows: [ReportRow] = []
    private(set) var peakGflops: [Int: Double] = [:]
    private(set) var bandwidthGBps: [Int: Double] = [:]

    init(check: Bool) { self.check = check }

    mutating func run(_ benchCase: BenchCase, with runner: GoogleBenchmarkRunner, label: String) throws {
        let prepared = try benchCase.prepare()
        defer { prepared.release() }
        var outcome: CheckOutcome?
        if check { outcome = prepared.check() }
        let timings = runner.time(name: benchCase.name, flops: benchCase.flops, bytes: benchCase.bytes, body: prepared.body)
        if let error = timings.error { throw UsageError("\(benchCase.name): Google Benchmark reported: \(error)") }
        guard let stats = SampleStatistics(timings.secondsPerCall) else { return }
        let gflops = benchCase.flops > 0 ? benchCase.flops / stats.median / 1e9 : nil
        let gbps = benchCase.bytes > 0 ? benchCase.bytes / stats.median / 1e9 : nil
        if benchCase.suite == PeakSuite.name {
            // The yardstick is the fastest repetition: on a shared machine a neighbour can only
            // slow the probe down, never speed it up. Kernel rows use their median, so their
            // share of the peak is, if anything, understated.
            if benchCase.kernel == PeakSuite.fmaKernel { peakGflops[benchCase.threads] = benchCase.flops / stats.min / 1e9 }
            if benchCase.kernel == PeakSuite.triadKernel { bandwidthGBps[benchCase.threads] = benchCase.bytes / stats.min / 1e9 }
        }
        let row = ReportRow(suite: benchCase.suite, kernel: benchCase.kernel, variant: benchCase.variant,
                            shape: benchCase.shape, threads: benchCase.threads, repetitions: stats.count,
                            iterations: timings.iterations, medianMs: stats.median * 1e3, minMs: stats.min * 1e3,
                            maxMs: stats.max * 1e3, cvPercent: stats.cvPercent, gflops: gflops, gbps: gbps,
                            check: outcome.map { $0.passed ? "pass" : "fail" } ?? "not run",
                            checkError: outcome?.maxError)
        rows.append(row)
        var line = "\(label) \(benchCase.name): \(String(format: "%.3f", stats.median * 1e3)) ms"
        if let gflops { line += String(format: ", %.1f GFLOPS", gflops) }
        if let gbps { line += String(format: ", %.1f GB/s", gbps) }
        if let outcome { line += ", check \(outcome.passed ? "pass" : "FAIL")" }
        print(line)
        fflush(nil)
    }

    /// Rows with the shares that need the whole run: of the peak and bandwidth at the same
    /// thread count, and of OpenBLAS at the same shape and thread count.
    func finishedRows() -> [ReportRow] {
        var openBLAS: [String: Double] = [:]
        for row in rows where row.variant == GemmSuite.openBLASVariant {
            openBLAS["\(row.suite)|\(row.kernel)|\(row.shape)|\(row.threads)"] = row.gflops
        }
        return rows.map { row in
            var row = row
            if let gflops = row.gflops, let peak = peakGflops[row.threads], peak > 0 { row.percentOfPeak = gflops / peak * 100 }
            if let gbps = row.gbps, let bandwidth = bandwidthGBps[row.threads], bandwidth > 0 {
                row.percentOfBandwidth = gbps / bandwidth * 100
            }
            if let gflops = row.gflops, let reference = openBLAS["\(row.suite)|\(row.kernel)|\(row.shape)|\(row.threads)"] {
                row.vsOpenBLAS = gflops / reference
            }
            return row
        }
    }
}
