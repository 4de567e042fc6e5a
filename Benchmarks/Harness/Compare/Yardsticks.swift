import Foundation

/// The probes a report measured (its `peak` rows), and which of them a kernel row is held against.
///
/// A compute row is held against the FMA probe at its thread count. A row whose measure is memory
/// traffic is held against the bandwidth probe whose working set is the smallest that still holds
/// the row's: a 2 MiB activation row against the cache triad, a 32 MiB pooling row against the
/// memory triad. Each probe's rate is taken at its fastest repetition, as the run's own
/// yardsticks are (a neighbour can only slow a probe down).
struct Yardsticks {
    struct Probe {
        var kernel: String
        var threads: Int
        /// GFLOPS, or GB/s for a bandwidth probe, at the fastest repetition.
        var rate: Double
        /// Bytes moved per call, for a bandwidth probe.
        var workingSetBytes: Double?
    }

    var probes: [Probe]

    init(_ report: [ReportRow]) {
        probes = report.compactMap { row in
            guard row.suite == PeakSuite.name, row.minMs > 0 else { return nil }
            let atFastest = row.medianMs / row.minMs
            if let gbps = row.gbps {
                return Probe(kernel: row.kernel, threads: row.threads, rate: gbps * atFastest,
                             workingSetBytes: gbps * 1e9 * row.medianMs * 1e-3)
            }
            if let gflops = row.gflops {
                return Probe(kernel: row.kernel, threads: row.threads, rate: gflops * atFastest, workingSetBytes: nil)
            }
            return nil
        }
    }

    func probe(kernel: String, threads: Int) -> Probe? {
        probes.first { $0.kernel == kernel && $0.threads == threads }
    }

    /// The probe `row` is held against, among those named in `kernels` (the probes both reports
    /// measured): the smallest bandwidth probe whose working set holds the row's (else the largest),
    /// or the FMA probe for a compute row.
    func kernel(for row: ReportRow, among kernels: Set<String>) -> String? {
        guard let gbps = row.gbps else {
            return kernels.contains(PeakSuite.fmaKernel) && probe(kernel: PeakSuite.fmaKernel, threads: row.threads) != nil
                ? PeakSuite.fmaKernel : nil
        }
        let rowBytes = gbps * 1e9 * row.medianMs * 1e-3
        let bandwidth = probes.filter { kernels.contains($0.kernel) && $0.threads == row.threads && $0.workingSetBytes != nil }
            .sorted { $0.workingSetBytes! < $1.workingSetBytes! }
        return (bandwidth.first { $0.workingSetBytes! >= rowBytes } ?? bandwidth.last)?.kernel
    }

    /// How much faster the machine of `old` was than that of `new` at what `row` needs: the old
    /// probe's rate over the new one's, or nil when the two reports share no suitable probe.
    static func machineSpeedRatio(for row: ReportRow, old: Yardsticks, new: Yardsticks) -> Double? {
        let shared = Set(old.probes.map(\.kernel)).intersection(new.probes.map(\.kernel))
        guard let kernel = old.kernel(for: row, among: shared),
              let oldProbe = old.probe(kernel: kernel, threads: row.threads),
              let newProbe = new.probe(kernel: kernel, threads: row.threads), newProbe.rate > 0 else { return nil }
        return oldProbe.rate / newProbe.rate
    }
}
