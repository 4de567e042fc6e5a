import Foundation
import Testing
@testable import BenchHarness

@Suite("Regression check")
struct RegressionCheckTests {
    @Test func mannWhitneyMatchesTheNormalApproximation() throws {
        // U = 9 of a possible 9: z = (9 - 4.5 - 0.5) / sqrt(9 * 7 / 12) = 1.746, p = 0.0404.
        let p = try #require(MannWhitney.pValue(larger: [4, 5, 6], smaller: [1, 2, 3]))
        #expect(abs(p - 0.0404) < 0.0005)
        // Nine against nine, fully separated: about 0.0002.
        let separated = try #require(MannWhitney.pValue(larger: (10...18).map(Double.init), smaller: (1...9).map(Double.init)))
        #expect(separated < 0.001)
        let reversed = try #require(MannWhitney.pValue(larger: (1...9).map(Double.init), smaller: (10...18).map(Double.init)))
        #expect(reversed > 0.99)
        let same = try #require(MannWhitney.pValue(larger: [1, 2, 3, 4], smaller: [1, 2, 3, 4]))
        #expect(same > 0.4)
        let ties = try #require(MannWhitney.pValue(larger: [5, 5, 5], smaller: [5, 5, 5]))
        #expect(ties >= 0.5)
        #expect(MannWhitney.pValue(larger: [], smaller: [1]) == nil)
    }

    /// A GEMM row whose 9 samples are `base * (1 + 0.01 i)` ms, on a machine whose peak is `peak`.
    func row(_ variant: String = "packed", base: Double, peak: Double = 100, spread: Double = 0.01) -> ReportRow {
        let samples = (0..<9).map { base * (1 + spread * Double($0)) }
        let stats = SampleStatistics(samples)!
        let gflops = 1.0 / stats.median
        return ReportRow(suite: "gemm", kernel: "sgemm", variant: variant, shape: "512x512x512", threads: 1,
                         repetitions: 9, iterations: 9, medianMs: stats.median, minMs: stats.min, maxMs: stats.max,
                         cvPercent: stats.cvPercent, gflops: gflops, percentOfPeak: gflops / peak * 100,
                         samplesMs: samples)
    }

    @Test func aRealSlowdownIsCaught() throws {
        let comparisons = RegressionCheck().compare(old: [row(base: 1)], new: [row(base: 2)])
        let comparison = try #require(comparisons.first)
        #expect(comparison.regressed)
        #expect(abs(comparison.timeRatio - 2) < 1e-9)
        #expect((comparison.pValue ?? 1) < 0.001)
    }

    @Test func aMachineSlowerAllOverIsNotARegression() throws {
        // Every time 30% longer, and the peak probe 30% slower too: the share of peak is unchanged.
        let comparisons = RegressionCheck().compare(old: [row(base: 1, peak: 100)], new: [row(base: 1.3, peak: 100 / 1.3)])
        let comparison = try #require(comparisons.first)
        #expect(!comparison.regressed)
        #expect(abs((comparison.shareRatio ?? 0) - 1) < 1e-6)
    }

    @Test func noiseThatLeavesTheFastestRepetitionAloneIsNotARegression() throws {
        // Same best time, but a neighbour stretched the other repetitions.
        var noisy = row(base: 1, spread: 0.2)
        noisy.medianMs = 1.8
        let comparisons = RegressionCheck().compare(old: [row(base: 1)], new: [noisy])
        #expect(comparisons.first?.regressed == false)
    }

    @Test func theConfirmationHoldsTheNewFastestAgainstTheOldMedian() throws {
        // A CI run of unchanged code: the baseline's 9 samples of a two-thread dense row, and the
        // second measurement's 9, on a machine whose peak was the same.
        func denseRow(_ samples: [Double]) -> ReportRow {
            var dense = row(base: 1)
            let stats = SampleStatistics(samples)!
            dense.medianMs = stats.median; dense.minMs = stats.min; dense.maxMs = stats.max
            dense.gflops = 134.2 / stats.median; dense.percentOfPeak = dense.gflops! / 200 * 100
            dense.samplesMs = samples
            return dense
        }
        let baseline = denseRow([1.058, 0.955, 1.067, 1.286, 0.967, 0.889, 1.251, 1.024, 1.284])
        let again = denseRow([1.079, 1.760, 1.127, 1.309, 1.423, 1.821, 1.599, 1.454, 1.555])
        // The first comparison calls it a regression (its fastest is 21% slower than the baseline's
        // fastest); the confirmation does not (its fastest is 2% slower than the baseline's median).
        #expect(try #require(RegressionCheck().compare(old: [baseline], new: [again]).first).regressed)
        var confirming = RegressionCheck()
        confirming.confirming = true
        let confirmed = try #require(confirming.compare(old: [baseline], new: [again]).first)
        #expect(!confirmed.regressed)
        #expect(abs(confirmed.bestTimeRatio - 1.079 / 1.058) < 1e-9)
        // The price: a row whose baseline spread 19% must slow by more than that to be condemned.
        // Every sample 30% longer is not enough (its fastest, 1.156 ms, is 9% over the median),
        // 50% is; and a steady row is still condemned at 20%.
        let slower = denseRow(baseline.samplesMs.map { 1.3 * $0 }), muchSlower = denseRow(baseline.samplesMs.map { 1.5 * $0 })
        #expect(try !#require(confirming.compare(old: [baseline], new: [slower]).first).regressed)
        #expect(try #require(confirming.compare(old: [baseline], new: [muchSlower]).first).regressed)
        #expect(try #require(confirming.compare(old: [row(base: 1)], new: [row(base: 1.2)]).first).regressed)
        #expect(confirming.renderText(confirming.compare(old: [baseline], new: [muchSlower])).contains("fastest vs old median"))
    }

    @Test func aMemoryRowIsHeldAgainstTheProbeWhoseWorkingSetHoldsIt() throws {
        /// A bandwidth row (or probe) moving `bytes` a call, 9 samples from `fastest` ms up by 1% steps.
        func traffic(_ suite: String, _ kernel: String, bytes: Double, fastest: Double) -> ReportRow {
            let samples = (0..<9).map { fastest * (1 + 0.01 * Double($0)) }
            let stats = SampleStatistics(samples)!
            return ReportRow(suite: suite, kernel: kernel, variant: "simd", shape: "n:\(Int(bytes))", threads: 1,
                             repetitions: 9, iterations: 9, medianMs: stats.median, minMs: stats.min, maxMs: stats.max,
                             cvPercent: stats.cvPercent, gbps: bytes / 1e9 / (stats.median * 1e-3), samplesMs: samples)
        }
        let memoryTriad = traffic("peak", PeakSuite.triadKernel, bytes: 192 * 1048576, fastest: 10)
        let cacheTriad = traffic("peak", PeakSuite.cacheTriadKernel, bytes: 8 * 1048576, fastest: 0.1)
        let relu = traffic("activation", "relu", bytes: 2 * 1048576, fastest: 0.03)
        let pool = traffic("pool", "maxpool-nchw", bytes: 32 * 1048576, fastest: 1.5)
        let old = [memoryTriad, cacheTriad, relu, pool]
        func slowed(_ row: ReportRow, _ factor: Double) -> ReportRow {
            var slower = row
            slower.samplesMs = row.samplesMs.map { $0 * factor }
            slower.medianMs *= factor; slower.minMs *= factor; slower.maxMs *= factor
            slower.gbps = row.gbps! / factor
            return slower
        }
        func verdicts(_ new: [ReportRow]) -> [String: Bool] {
            Dictionary(uniqueKeysWithValues: RegressionCheck().compare(old: old, new: new).map { ($0.key, $0.regressed) })
        }
        let reluKey = RegressionCheck.key(relu), poolKey = RegressionCheck.key(pool)
        // A neighbour on the shared L3: the cache-resident row and the cache triad 25% slower, the
        // memory triad not. Not a regression; the 32 MiB row slowed as much is one.
        let contended = verdicts([memoryTriad, slowed(cacheTriad, 1.25), slowed(relu, 1.25), slowed(pool, 1.25)])
        #expect(contended[reluKey] == false && contended[poolKey] == true)
        // The cache triad as fast as before: the same slowdown of the cache-resident row is one.
        #expect(verdicts([memoryTriad, cacheTriad, slowed(relu, 1.25), pool])[reluKey] == true)
        // Memory 25% slower: the 32 MiB row is excused, the 2 MiB row is not.
        let memorySlow = verdicts([slowed(memoryTriad, 1.25), cacheTriad, slowed(relu, 1.25), slowed(pool, 1.25)])
        #expect(memorySlow[reluKey] == true && memorySlow[poolKey] == false)
        // A baseline from before the cache triad existed: both rows are held against the memory triad.
        let older = RegressionCheck().compare(old: [memoryTriad, relu], new: [slowed(memoryTriad, 1.25), slowed(relu, 1.25)])
        #expect(older.first?.regressed == false)
    }

    @Test func aSmallOrInsignificantChangeIsNotARegression() {
        #expect(RegressionCheck().compare(old: [row(base: 1)], new: [row(base: 1.05)]).first?.regressed == false)
        // 15% slower but the samples overlap heavily: not significant at 1%.
        let overlapping = RegressionCheck().compare(old: [row(base: 1, spread: 0.1)], new: [row(base: 1.15, spread: 0.1)])
        #expect(overlapping.first?.regressed == false)
        #expect(RegressionCheck(thresholdPercent: 150).compare(old: [row(base: 1)], new: [row(base: 2)]).first?.regressed == false)
    }

    @Test func onlyRowsInBothReportsAreComparedAndPeakRowsAreLeftOut() {
        var peak = row(base: 1)
        peak.suite = "peak"
        let comparisons = RegressionCheck().compare(old: [peak, row(base: 1), row("tiled", base: 1)], new: [peak, row(base: 1)])
        #expect(comparisons.map(\.key) == ["gemm/sgemm/packed/512x512x512/threads:1"])
    }

    @Test func geometricMeanAndRenderings() throws {
        let comparisons = RegressionCheck().compare(old: [row(base: 1), row("tiled", base: 1)], new: [row(base: 2), row("tiled", base: 0.5)])
        let mean = try #require(RegressionCheck.geometricMean(comparisons))
        #expect(abs(mean - 1) < 1e-9)
        let text = RegressionCheck().renderText(comparisons)
        #expect(text.contains("1 row regressed") && text.contains("packed/512x512x512"))
        let markdown = RegressionCheck().renderMarkdown(comparisons)
        #expect(markdown.contains("**regressed**") && markdown.hasPrefix("| row |"))
    }

    @Test func compareOptions() throws {
        let one = try BenchOptions(parsing: ["--compare", "results/base.csv", "--threshold", "15", "--rounds", "5", "--markdown"])
        #expect(one.compare == ["results/base.csv"] && one.thresholdPercent == 15 && one.rounds == 5 && one.markdown)
        let two = try BenchOptions(parsing: ["--compare", "old.csv", "new.csv", "--quick"])
        #expect(two.compare == ["old.csv", "new.csv"] && two.quick)
        #expect(throws: UsageError.self) { try BenchOptions(parsing: ["--compare", "notes.txt"]) }
        #expect(throws: UsageError.self) { try BenchOptions(parsing: ["--threshold", "-3"]) }
        #expect(throws: UsageError.self) { try BenchOptions(parsing: ["--rounds", "0"]) }
    }

    @Test func comparingTwoFilesNeedsNoBuildFlagsAndReportsStatus() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nnk-compare-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let old = folder.appendingPathComponent("old.csv").path, same = folder.appendingPathComponent("same.csv").path
        let slow = folder.appendingPathComponent("slow.csv").path
        try CSVReport.write([row(base: 1)], to: old)
        try CSVReport.write([row(base: 1)], to: same)
        try CSVReport.write([row(base: 3)], to: slow)
        #expect(BenchCommand.main(["--compare", old, same]) == 0)
        #expect(BenchCommand.main(["--compare", old, slow]) == 1)
        #expect(BenchCommand.main(["--compare", old, folder.appendingPathComponent("missing.csv").path]) == 2)
    }

    @Test func activationRowsMapBackToTheirCases() throws {
        var relu = row(base: 1)
        relu.suite = "activation"; relu.kernel = "relu"; relu.variant = "simd"; relu.shape = "n:262144"
        let reluCase = try #require(ActivationSuite.activationCase(row: relu))
        #expect(reluCase.name == "activation/relu/simd/n:262144/threads:1" && reluCase.bytes == 8 * 262_144)
        var softmax = relu
        softmax.kernel = "softmax"; softmax.variant = "naive"; softmax.shape = "256x1024"
        #expect(try #require(ActivationSuite.activationCase(row: softmax)).name == "activation/softmax/naive/256x1024/threads:1")
        softmax.shape = "256x100"
        #expect(ActivationSuite.activationCase(row: softmax) == nil)
        relu.kernel = "swish"
        #expect(ActivationSuite.activationCase(row: relu) == nil)
    }

    @Test func reportsWithoutSamplesStillParse() throws {
        let text = CSVReport.render([row(base: 1)])
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",") }
        let parsed = try CSVReport.parse(lines.joined(separator: "\n"))
        #expect(parsed.count == 1 && parsed[0].samplesMs.isEmpty && parsed[0].medianMs > 0)
    }
}
