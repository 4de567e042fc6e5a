import Foundation
import Testing
@testable import BenchHarness

@Suite("CSV report")
struct CSVReportTests {
    let rows = [
        ReportRow(suite: "gemm", kernel: "sgemm", variant: "packed", shape: "64x64x64", threads: 2, repetitions: 5,
                  iterations: 1000, medianMs: 0.0123456, minMs: 0.01, maxMs: 0.02, cvPercent: 3.25, gflops: 42.5,
                  percentOfPeak: 41.2, vsOpenBLAS: 1.07, vsOneDNN: 0.93, check: "pass", checkError: 1.5e-7),
        ReportRow(suite: "peak", kernel: "triad", variant: "simd16", shape: "n:16", threads: 1, repetitions: 3,
                  iterations: 9, medianMs: 1, minMs: 1, maxMs: 1, cvPercent: 0, gbps: 20, percentOfBandwidth: 100),
        ReportRow(suite: "conv", kernel: "conv2d", variant: "direct", shape: "mb1ic3,odd\"name\"", threads: 1,
                  repetitions: 1, iterations: 1, medianMs: 2, minMs: 2, maxMs: 2, cvPercent: 0, check: "fail"),
    ]

    @Test func headerIsTheFixedColumnSet() {
        let header = CSVReport.render([]).split(separator: "\n").first.map(String.init)
        #expect(header == "suite,kernel,variant,shape,threads,repetitions,iterations,median_ms,min_ms,max_ms,cv_pct,gflops,pct_peak,gbps,pct_bw,vs_openblas,vs_onednn,check,check_error,samples_ms")
        for required in ["suite", "kernel", "variant", "shape", "threads", "median_ms", "min_ms", "max_ms",
                         "cv_pct", "gflops", "pct_peak", "check", "gbps"] {
            #expect(CSVReport.columns.contains(required))
        }
    }

    @Test func everyRowHasEveryColumnAndEmptyCellsWhereAMeasureDoesNotApply() {
        let lines = CSVReport.render(rows).split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        for line in lines { #expect(CSVReport.splitLine(line).count == CSVReport.columns.count) }
        let triad = CSVReport.splitLine(lines[2])
        #expect(triad[CSVReport.columns.firstIndex(of: "gflops")!] == "")
        #expect(triad[CSVReport.columns.firstIndex(of: "gbps")!] == "20.000")
        #expect(triad[CSVReport.columns.firstIndex(of: "check")!] == "not run")
    }

    @Test func quotesFieldsThatNeedItAndRoundTrips() throws {
        let text = CSVReport.render(rows)
        #expect(text.contains("\"mb1ic3,odd\"\"name\"\"\""))
        let parsed = try CSVReport.parse(text)
        #expect(parsed.count == 3)
        #expect(parsed[2].shape == "mb1ic3,odd\"name\"")
        #expect(parsed[0].gflops == 42.5 && parsed[0].vsOpenBLAS == 1.07 && parsed[0].vsOneDNN == 0.93 && parsed[0].threads == 2)
        #expect(parsed[1].vsOneDNN == nil)
        #expect(parsed[1].gflops == nil && parsed[1].gbps == 20)
        #expect(abs(parsed[0].medianMs - 0.012346) < 1e-9)
    }

    @Test func readsReportsWrittenBeforeTheOneDNNColumn() throws {
        // A report of before vs_onednn (the committed baseline among them) still parses.
        let old = """
            suite,kernel,variant,shape,threads,repetitions,iterations,median_ms,min_ms,max_ms,cv_pct,gflops,pct_peak,gbps,pct_bw,vs_openblas,check,check_error,samples_ms
            gemm,sgemm,packed,64x64x64,1,3,10,0.5,0.4,0.6,1.5,1.0,50.0,,,1.100,pass,1.0e-7,0.5;0.4;0.6
            """
        let parsed = try CSVReport.parse(old)
        #expect(parsed.count == 1)
        #expect(parsed[0].vsOpenBLAS == 1.1 && parsed[0].vsOneDNN == nil && parsed[0].samplesMs == [0.5, 0.4, 0.6])
    }

    @Test func writesTheFileCreatingItsFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nnk-\(UUID().uuidString)")
        let path = folder.appendingPathComponent("sub/report.csv").path
        try CSVReport.write(rows, to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == CSVReport.render(rows))
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func statistics() throws {
        let odd = try #require(SampleStatistics([3, 1, 2]))
        #expect(odd.median == 2 && odd.min == 1 && odd.max == 3 && odd.count == 3)
        #expect(abs(odd.cvPercent - 50) < 1e-9)
        let even = try #require(SampleStatistics([4, 1, 2, 3]))
        #expect(even.median == 2.5)
        #expect(SampleStatistics([]) == nil)
        #expect(SampleStatistics([5])?.cvPercent == 0)
    }
}
