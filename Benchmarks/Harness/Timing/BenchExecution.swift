import Foundation

/// Runs cases and turns their timings into report rows. A run may go round the case list
/// several times (`--rounds`), one repetition of each case a round: a burst of noise from a
/// neighbour then lands on one sample of many rows instead of every sample of one row.
struct BenchExecution {
    let check: Bool

    private struct Accumulated {
        var benchCase: BenchCase
        var samples: [Double] = []
        var iterations: Int64 = 0
        var outcome: CheckOutcome?
    }

    private var order: [String] = []
    private var accumulated: [String: Accumulated] = [:]

    init(check: Bool) { self.check = check }

    mutating func run(_ benchCase: BenchCase, with runner: GoogleBenchmarkRunner, label: String) throws {
        let key = benchCase.name
        var entry = accumulated[key] ?? Accumulated(benchCase: benchCase)
        if accumulated[key] == nil { order.append(key) }
        let prepared = try benchCase.prepare()
        defer { prepared.release() }
        if check && entry.outcome == nil { entry.outcome = prepared.check() }
        let timings = runner.time(name: benchCase.name, flops: benchCase.flops, bytes: benchCase.bytes, body: prepared.body)
        if let error = timings.error { throw UsageError("\(benchCase.name): Google Benchmark reported: \(error)") }
        entry.samples += timings.secondsPerCall
        entry.iterations += timings.iterations
        accumulated[key] = entry
        guard let stats = SampleStatistics(timings.secondsPerCall) else { return }
        var line = "\(label) \(benchCase.name): \(String(format: "%.3f", stats.median * 1e3)) ms"
        if benchCase.flops > 0 { line += String(format: ", %.1f GFLOPS", benchCase.flops / stats.median / 1e9) }
        if benchCase.bytes > 0 { line += String(format: ", %.1f GB/s", benchCase.bytes / stats.median / 1e9) }
        if let outcome = entry.outcome { line += ", check \(outcome.passed ? "pass" : "FAIL")" }
        print(line)
        fflush(nil)
    }

    /// The yardsticks: the fastest repetition of each probe at each thread count. On a shared
    /// machine a neighbour can only slow a probe down, never speed it up; kernel rows use their
    /// median, so their share of the peak is, if anything, understated.
    var peakGflops: [Int: Double] { yardstick(PeakSuite.fmaKernel) { $0.flops } }
    var bandwidthGBps: [Int: Double] { yardstick(PeakSuite.triadKernel) { $0.bytes } }
    var cacheBandwidthGBps: [Int: Double] { yardstick(PeakSuite.cacheTriadKernel) { $0.bytes } }

    private func yardstick(_ kernel: String, _ amount: (BenchCase) -> Double) -> [Int: Double] {
        var result: [Int: Double] = [:]
        for entry in accumulated.values where entry.benchCase.suite == PeakSuite.name && entry.benchCase.kernel == kernel {
            if let fastest = entry.samples.min(), fastest > 0 { result[entry.benchCase.threads] = amount(entry.benchCase) / fastest / 1e9 }
        }
        return result
    }

    /// Rows with the shares that need the whole run: of the peak and bandwidth at the same
    /// thread count, and of OpenBLAS at the same shape and thread count.
    func finishedRows() -> [ReportRow] {
        let peaks = peakGflops, bandwidths = bandwidthGBps
        let rows: [ReportRow] = order.compactMap { key in
            guard let entry = accumulated[key], let stats = SampleStatistics(entry.samples) else { return nil }
            let c = entry.benchCase
            var row = ReportRow(suite: c.suite, kernel: c.kernel, variant: c.variant, shape: c.shape, threads: c.threads,
                                repetitions: stats.count, iterations: entry.iterations, medianMs: stats.median * 1e3,
                                minMs: stats.min * 1e3, maxMs: stats.max * 1e3, cvPercent: stats.cvPercent,
                                gflops: c.flops > 0 ? c.flops / stats.median / 1e9 : nil,
                                gbps: c.bytes > 0 ? c.bytes / stats.median / 1e9 : nil,
                                check: entry.outcome.map { $0.passed ? "pass" : "fail" } ?? "not run",
                                checkError: entry.outcome?.maxError, samplesMs: entry.samples.map { $0 * 1e3 })
            if let gflops = row.gflops, let peak = peaks[c.threads], peak > 0 { row.percentOfPeak = gflops / peak * 100 }
            if let gbps = row.gbps, let bandwidth = bandwidths[c.threads], bandwidth > 0 {
                row.percentOfBandwidth = gbps / bandwidth * 100
            }
            return row
        }
        // A library's rate at the same (suite, kernel, shape, threads).
        func problem(_ row: ReportRow) -> String { "\(row.suite)|\(row.kernel)|\(row.shape)|\(row.threads)" }
        func rates(of library: LibraryGemm) -> [String: Double] {
            Dictionary(rows.filter { $0.variant == library.rawValue }.compactMap { row in row.gflops.map { (problem(row), $0) } },
                       uniquingKeysWith: { first, _ in first })
        }
        let openBLAS = rates(of: .openblas), oneDNN = rates(of: .onednn)
        return rows.map { row in
            var row = row
            if let gflops = row.gflops {
                row.vsOpenBLAS = openBLAS[problem(row)].map { gflops / $0 }
                row.vsOneDNN = oneDNN[problem(row)].map { gflops / $0 }
            }
            return row
        }
    }
}
