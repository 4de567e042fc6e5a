import Foundation
import NNKernels

/// The `bench` program: parse, plan, time, report. Returns the process exit status:
/// 0 success, 1 a check failed, 2 a bad command line or a refused run.
public enum BenchCommand {
    public static func main(_ arguments: [String]) -> Int32 {
        do {
            let options = try BenchOptions(parsing: arguments)
            return try run(options, arguments: arguments)
        } catch let error as UsageError {
            FileHandle.standardError.write(Data("bench: \(error.message)\n".utf8))
            return 2
        } catch {
            FileHandle.standardError.write(Data("bench: \(error)\n".utf8))
            return 1
        }
    }

    static func run(_ options: BenchOptions, arguments: [String]) throws -> Int32 {
        if options.help {
            print(BenchOptions.usage)
            return 0
        }
        if options.topology {
            print(TopologyReport.render())
            return 0
        }
        if options.list {
            print(try listing(quick: options.quick))
            return 0
        }
        if RunMetadata.buildConfiguration == "debug" && !options.allowDebug {
            throw UsageError("refusing to report figures from a debug build: run 'swift run -c release bench', or pass --allow-debug")
        }
        let plan = try BenchPlan(options)
        for note in plan.notes { print("note: \(note)") }
        let runner = try GoogleBenchmarkRunner(flags: options.benchmarkFlags,
                                               defaultRepetitions: options.quick ? 3 : 5,
                                               defaultMinTime: options.quick ? 0.05 : 0.1)
        let started = Date()
        var execution = BenchExecution(check: options.check)
        for (index, benchCase) in plan.cases.enumerated() {
            let alwaysRun = benchCase.suite == PeakSuite.name
            guard alwaysRun || runner.selects(benchCase.name) else { continue }
            try execution.run(benchCase, with: runner, label: "[\(index + 1)/\(plan.cases.count)]")
        }
        let rows = execution.finishedRows()
        let path = options.outPath ?? defaultOutputPath(started)
        try CSVReport.write(rows, to: path)
        let metadata = RunMetadata(startedAt: started, arguments: arguments,
                                   peakGflops: execution.peakGflops, bandwidthGBps: execution.bandwidthGBps)
        let metadataPath = (path.hasSuffix(".csv") ? String(path.dropLast(4)) : path) + ".meta.json"
        try metadata.json().write(to: URL(fileURLWithPath: metadataPath))
        print("")
        print(SummaryTable.render(rows))
        print("")
        print("report: \(path)")
        print("context: \(metadataPath)")
        let failures = rows.filter { $0.check == "fail" }
        if !failures.isEmpty {
            print("check failed for \(failures.count) row\(failures.count == 1 ? "" : "s"):")
            for row in failures { print("  \(row.suite)/\(row.kernel)/\(row.variant)/\(row.shape)/threads:\(row.threads) error \(row.checkError ?? .nan)") }
            return 1
        }
        return 0
    }

    static func defaultOutputPath(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return "results/\(ProcessInfo.processInfo.hostName)-\(formatter.string(from: date)).csv"
    }

    static func listing(quick: Bool) throws -> String {
        var lines: [String] = []
        for suite in SuiteCatalog.available {
            lines.append("suite \(suite.name): variants \(suite.variants.joined(separator: ", "))")
            for workload in try suite.workloadDescriptions(quick) { lines.append("  \(workload)") }
        }
        for planned in SuiteCatalog.planned {
            lines.append("suite \(planned.name): not available yet (\(planned.reason))")
        }
        lines.append("GEMM microkernels:")
        for kernel in GemmMicrokernels.all {
            lines.append("  \(kernel)\(kernel.isSupported ? "" : " [not supported on this CPU]")")
        }
        return lines.joined(separator: "\n")
    }
}

/// The benchmarks a command line asks for, peak first (every share is of the peak measured in the same run).
struct BenchPlan {
    var cases: [BenchCase] = []
    var notes: [String] = []
    var threads: [Int]

    init(_ options: BenchOptions) throws {
        let cores = Tuning.defaultThreads
        threads = options.threads ?? (cores > 1 ? [1, cores] : [1])
        let known = SuiteCatalog.allVariants
        for variant in options.variants where !known.contains(variant) {
            throw UsageError("unknown variant '\(variant)': expected one of \(known.joined(separator: ", "))")
        }
        let adHoc = !options.gemmShapes.isEmpty
        var suites = options.suites
        if suites.isEmpty {
            suites = adHoc ? ["gemm"] : SuiteCatalog.available.map(\.name)
        }
        if !options.denseShapes.isEmpty { suites.append("dense") }
        if !options.convDescriptors.isEmpty { suites.append("conv") }
        if adHoc && !suites.contains("gemm") { suites.append("gemm") }
        let request = SuiteRequest(quick: options.quick, variants: options.variants, threads: threads,
                                   gemmShapes: options.gemmShapes, adHocOnly: adHoc)
        cases = try PeakSuite.cases(SuiteRequest(quick: options.quick, variants: [], threads: threads,
                                                 gemmShapes: [], adHocOnly: false))
        var seen: Set<String> = [PeakSuite.name]
        for name in suites where !seen.contains(name) {
            seen.insert(name)
            if let suite = SuiteCatalog.suite(named: name) {
                cases += try suite.cases(request)
            } else if let planned = SuiteCatalog.planned.first(where: { $0.name == name }) {
                notes.append("suite \(name) skipped: \(planned.reason)")
            }
        }
    }
}
