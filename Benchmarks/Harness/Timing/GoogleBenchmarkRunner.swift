import Foundation
import GBenchShim
import Synchronization
import _KernelShims

/// Times benchmarks through Google Benchmark: it chooses iteration counts and runs the
/// repetitions; every repetition comes back here and the statistics are ours.
final class GoogleBenchmarkRunner {
    private static let argumentStrings = Mutex<[UInt]>([])
    private let filter: NSRegularExpression?
    private let excludes: Bool

    /// Hands `--benchmark_*` flags to Google Benchmark, adding our defaults for repetitions
    /// and minimum time where the caller gave none.
    init(flags: [String], defaultRepetitions: Int, defaultMinTime: Double) throws {
        // The filter is applied here, not by Google Benchmark: the peak probes must run whatever
        // it says, since every row's share of the peak comes from them.
        var all = flags.filter { !$0.hasPrefix("--benchmark_filter") }
        if !flags.contains(where: { $0.hasPrefix("--benchmark_repetitions") }) {
            all.append("--benchmark_repetitions=\(defaultRepetitions)")
        }
        if !flags.contains(where: { $0.hasPrefix("--benchmark_min_time") }) {
            all.append("--benchmark_min_time=\(defaultMinTime)")
        }
        var pattern: String?
        for flag in flags where flag.hasPrefix("--benchmark_filter=") {
            pattern = String(flag.dropFirst("--benchmark_filter=".count))
        }
        // As in Google Benchmark, a leading '-' selects the names that do not match.
        excludes = pattern?.hasPrefix("-") ?? false
        let expression = excludes ? pattern.map { String($0.dropFirst()) } : pattern
        if let expression, !expression.isEmpty {
            do {
                filter = try NSRegularExpression(pattern: expression)
            } catch {
                throw UsageError("--benchmark_filter: not a valid regular expression: '\(pattern ?? "")'")
            }
        } else {
            filter = nil
        }
        let arguments = ["bench"] + all
        // Google Benchmark compacts argv in place and keeps argv[0]: the strings live for the
        // process, held here so they stay reachable (not a leak).
        let owned = arguments.map { strdup($0) }
        let addresses = owned.map { UInt(bitPattern: $0) }
        Self.argumentStrings.withLock { $0.append(contentsOf: addresses) }
        var cStrings = owned
        let unrecognised = gbs_initialize(Int32(cStrings.count), &cStrings)
        if unrecognised > 0 {
            throw UsageError("unrecognised Google Benchmark flag among: \(flags.joined(separator: " "))")
        }
    }

    /// Whether `--benchmark_filter` selects this case (checked before its operands are allocated).
    func selects(_ name: String) -> Bool {
        guard let filter else { return true }
        return (filter.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil) != excludes
    }

    /// Per repetition, seconds per call; and the total number of timed calls.
    struct Timings {
        var secondsPerCall: [Double] = []
        var iterations: Int64 = 0
        var error: String?
    }

    private final class Collector {
        var timings = Timings()
    }

    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    func time(name: String, flops: Double, bytes: Double, body: @escaping () -> Void) -> Timings {
        let boxed = Unmanaged.passRetained(Body(body))
        defer { boxed.release() }
        gbs_register(name, { context in
            Unmanaged<Body>.fromOpaque(context!).takeUnretainedValue().run()
        }, boxed.toOpaque(), flops, bytes)
        defer { gbs_clear() }
        let collector = Collector()
        let sink = Unmanaged.passUnretained(collector)
        _ = gbs_run_all({ context, run in
            let collector = Unmanaged<Collector>.fromOpaque(context!).takeUnretainedValue()
            guard let run = run?.pointee else { return }
            if run.error_occurred != 0 {
                collector.timings.error = String(cString: run.error_message)
                return
            }
            guard run.iterations > 0 else { return }
            collector.timings.secondsPerCall.append(run.real_seconds / Double(run.iterations))
            collector.timings.iterations += run.iterations
        }, sink.toOpaque())
        return collector.timings
    }
}
