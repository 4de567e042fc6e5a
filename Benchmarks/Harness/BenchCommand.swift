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
        let check = RegressionCheck(thresholdPercent: options.thresholdPercent)
        if options.compare.count == 2 {
            let old = try readReport(options.compare[0]), new = try readReport(options.compare[1])
            return report(check.compare(old: old, new: new), check, markdown: options.markdown)
        }
        if RunMetadata.buildConfiguration == "debug" && !options.allowDebug {
            throw UsageError("refusing to report figures from a debug build: run 'swift run -c release bench', or pass --allow-debug")
        }
        let started = Date()
        let path = options.outPath ?? defaultOutputPath(started)
        let metadataPath = (path.hasSuffix(".csv") ? String(path.dropLast(4)) : path) + ".meta.json"
        try ReportDestination.prepare(path, option: "--out")
        try ReportDestination.prepare(metadataPath, option: "--out (its metadata)")
        if let regressionsPath = options.regressionsOutPath {
            try ReportDestination.prepare(regressionsPath, option: "--regressions-out")
        }
        let baseline = try options.compare.first.map(readReport)
        let plan = try baseline.map { try BenchPlan(baseline: $0, options) } ?? BenchPlan(options)
        for note in plan.notes { print("note: \(note)") }
        let rounds = options.rounds ?? (baseline == nil ? 1 : 9)
        let runner = try GoogleBenchmarkRunner(flags: options.benchmarkFlags,
                                               defaultRepetitions: rounds > 1 ? 1 : (options.quick ? 3 : 5),
                                               defaultMinTime: options.quick ? 0.05 : 0.1)
        if let injected = BenchInjection.description { print("note: \(injected)") }
        let source = RunMetadata.SourceState.current()
        let execution = try measure(plan.cases, rounds: rounds, runner: runner, check: options.check)
        let rows = execution.finishedRows()
        try CSVReport.write(rows, to: path)
        let metadata = RunMetadata(startedAt: started, arguments: arguments,
                                   peakGflops: execution.peakGflops, bandwidthGBps: execution.bandwidthGBps,
                                   cacheBandwidthGBps: execution.cacheBandwidthGBps, source: source)
        try metadata.json().write(to: URL(fileURLWithPath: metadataPath))
        print("")
        print(options.markdown ? SummaryTable.renderMarkdown(rows) : SummaryTable.render(rows))
        print("")
        print("report: \(path)")
        print("context: \(metadataPath)")
        var status: Int32 = 0
        let failures = rows.filter { $0.check == "fail" }
        if !failures.isEmpty {
            print("check failed for \(failures.count) row\(failures.count == 1 ? "" : "s"):")
            for row in failures { print("  \(RegressionCheck.key(row)) error \(row.checkError ?? .nan)") }
            status = 1
        }
        if let baseline {
            print("")
            var confirmedRegressions: [String] = []
            defer {
                if let regressionsPath = options.regressionsOutPath {
                    try? confirmedRegressions.map { $0 + "\n" }.joined()
                        .write(to: URL(fileURLWithPath: regressionsPath), atomically: true, encoding: .utf8)
                }
            }
            let comparisons = check.compare(old: baseline, new: rows)
            if report(comparisons, check, markdown: options.markdown) != 0 {
                // A regression must show again in a second, independent measurement of the rows
                // concerned: on a shared machine a neighbour can slow one row for a whole pass.
                let suspects = Set(comparisons.filter(\.regressed).map(\.key))
                let suspectRows = baseline.filter { suspects.contains(RegressionCheck.key($0)) }
                if suspectRows.isEmpty {
                    status = 1
                } else {
                    print("")
                    print("confirming \(suspectRows.count) row\(suspectRows.count == 1 ? "" : "s") with a second measurement of \(rounds) rounds")
                    let confirmation = try measure(BenchPlan(baseline: suspectRows, options).cases, rounds: rounds,
                                                   runner: runner, check: false)
                    var confirmingCheck = check
                    confirmingCheck.confirming = true
                    // The whole baseline, for its probes; only the suspects are in both.
                    let confirmed = confirmingCheck.compare(old: baseline, new: confirmation.finishedRows())
                    print("")
                    if report(confirmed, confirmingCheck, markdown: options.markdown) != 0 {
                        confirmedRegressions = confirmed.filter(\.regressed).map(\.key)
                        print("regression confirmed")
                        status = 1
                    } else {
                        print("not confirmed by the second measurement: no regression")
                    }
                }
            }
        }
        return status
    }

    /// Goes round `cases` `rounds` times, one Google Benchmark run of each case a round.
    static func measure(_ cases: [BenchCase], rounds: Int, runner: GoogleBenchmarkRunner,
                        check: Bool) throws -> BenchExecution {
        var execution = BenchExecution(check: check)
        for round in 0..<rounds {
            for (index, benchCase) in cases.enumerated() {
                let alwaysRun = benchCase.suite == PeakSuite.name
                guard alwaysRun || runner.selects(benchCase.name) else { continue }
                let label = rounds > 1 ? "[round \(round + 1)/\(rounds), \(index + 1)/\(cases.count)]"
                                       : "[\(index + 1)/\(cases.count)]"
                try execution.run(benchCase, with: runner, label: label)
            }
        }
        // The probes once more at the end: a neighbour that held a core while they ran first
        // would otherwise set the yardstick of every row (the fastest repetition of either
        // measurement is kept; a neighbour can only slow a probe down).
        for benchCase in cases where benchCase.suite == PeakSuite.name {
            try execution.run(benchCase, with: runner, label: "[closing probe]")
        }
        return execution
    }

    /// Prints a comparison; returns 1 when a row regressed.
    static func report(_ comparisons: [RegressionCheck.RowComparison], _ check: RegressionCheck, markdown: Bool) -> Int32 {
        if comparisons.isEmpty {
            print("no rows in common with the baseline")
            return 1
        }
        if markdown { print(check.renderMarkdown(comparisons)); print("") }
        print(check.renderText(comparisons))
        return comparisons.contains(where: \.regressed) ? 1 : 0
    }

    static func readReport(_ path: String) throws -> [ReportRow] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw UsageError("cannot read report '\(path)'")
        }
        return try CSVReport.parse(text)
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
        lines.append("GEMM microkernels:")
        for kernel in GemmMicrokernels.all {
            lines.append("  \(kernel)\(kernel.isSupported ? "" : " [not supported on this CPU]")")
        }
        return lines.joined(separator: "\n")
    }
}

extension BenchPlan {
    /// The rows of a baseline report, for `--compare`: the same (kernel, variant, shape, threads),
    /// after the peak probes at the baseline's thread counts.
    init(baseline: [ReportRow], _ options: BenchOptions) throws {
        var threads: [Int] = []
        for row in baseline where !threads.contains(row.threads) { threads.append(row.threads) }
        self.threads = threads.sorted()
        cases = try PeakSuite.cases(SuiteRequest(quick: options.quick, variants: [], threads: self.threads,
                                                 gemmShapes: [], adHocOnly: false))
        notes = []
        for row in baseline where row.suite != PeakSuite.name {
            if row.suite == GemmSuite.name, row.kernel == MicrokernelCase.kernel {
                if row.shape == MicrokernelCase.shape(GemmMicrokernels.preferred) {
                    cases.append(MicrokernelCase.benchCase())
                } else {
                    notes.append("baseline row \(RegressionCheck.key(row)) is another microkernel or KC than this machine's; skipped")
                }
            } else if row.suite == GemmSuite.name, GemmSuite.variants.contains(row.variant), let shape = try? GemmShape(parsing: row.shape) {
                cases.append(GemmSuite.gemmCase(shape, variant: row.variant, threads: row.threads))
            } else if row.suite == ActivationSuite.name, let benchCase = ActivationSuite.activationCase(row: row) {
                cases.append(benchCase)
            } else if row.suite == DenseSuite.name, let benchCase = DenseSuite.benchCase(row: row) {
                cases.append(benchCase)
            } else if row.suite == ConvSuite.name, let benchCase = ConvSuite.benchCase(row: row) {
                cases.append(benchCase)
            } else if row.suite == PoolSuite.name, let benchCase = PoolSuite.benchCase(row: row) {
                cases.append(benchCase)
            } else {
                notes.append("baseline row \(RegressionCheck.key(row)) cannot be run by this bench; skipped")
            }
        }
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
        let adHoc = !options.gemmShapes.isEmpty || !options.denseShapes.isEmpty || !options.convDescriptors.isEmpty
        var suites = options.suites
        if suites.isEmpty && !adHoc { suites = SuiteCatalog.available.map(\.name) }
        // Ad hoc shapes bring their suite along.
        if !options.gemmShapes.isEmpty { suites.append("gemm") }
        if !options.denseShapes.isEmpty { suites.append("dense") }
        if !options.convDescriptors.isEmpty { suites.append("conv") }
        let request = SuiteRequest(quick: options.quick, variants: options.variants, threads: threads,
                                   gemmShapes: options.gemmShapes, adHocOnly: !options.gemmShapes.isEmpty,
                                   denseShapes: options.denseShapes, convDescriptors: options.convDescriptors)
        cases = try PeakSuite.cases(SuiteRequest(quick: options.quick, variants: [], threads: threads,
                                                 gemmShapes: [], adHocOnly: false))
        var seen: Set<String> = [PeakSuite.name]
        for name in suites where !seen.contains(name) {
            seen.insert(name)
            if let suite = SuiteCatalog.suite(named: name) {
                cases += try suite.cases(request)
            }
        }
    }
}
