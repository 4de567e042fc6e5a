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
