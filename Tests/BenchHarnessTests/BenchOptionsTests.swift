import Foundation
import Testing
@testable import BenchHarness

@Suite("Command line")
struct BenchOptionsTests {
    @Test func defaultsWithNoArguments() throws {
        let options = try BenchOptions(parsing: [])
        #expect(options == BenchOptions())
    }

    @Test func parsesEveryFlagInBothForms() throws {
        let options = try BenchOptions(parsing: [
            "--quick", "--suite", "gemm", "--suite=peak", "--variant", "packed", "--variant=openblas",
            "--threads", "1,2", "--gemm", "64x1024x1024", "--gemm=1x2x3", "--dense", "64x1024x1024:relu",
            "--conv", "mb1ic64ih56oc64oh56kh3ph1", "--out", "/tmp/x.csv", "--check", "--allow-debug",
            "--regressions-out=/tmp/regressed.txt", "--benchmark_filter=packed", "--benchmark_repetitions=9",
        ])
        #expect(options.quick && options.check && options.allowDebug)
        #expect(options.suites == ["gemm", "peak"])
        #expect(options.variants == ["packed", "openblas"])
        #expect(options.threads == [1, 2])
        #expect(options.gemmShapes == [GemmShape(m: 64, n: 1024, k: 1024), GemmShape(m: 1, n: 2, k: 3)])
        #expect(options.denseShapes.map(\.description) == ["64x1024x1024:relu"])
        #expect(options.convDescriptors.first?.oh == 56)
        #expect(options.outPath == "/tmp/x.csv")
        #expect(options.regressionsOutPath == "/tmp/regressed.txt")
        #expect(options.benchmarkFlags == ["--benchmark_filter=packed", "--benchmark_repetitions=9"])
    }

    @Test("bad command lines say what is wrong", arguments: [
        (["--frobnicate"], "unknown argument '--frobnicate'"),
        (["--suite", "fft"], "unknown suite 'fft'"),
        (["--suite"], "--suite needs a value"),
        (["--threads", "0"], "--threads: expected"),
        (["--threads", "1,x"], "--threads: expected"),
        (["--gemm", "12x12"], "malformed GEMM shape '12x12'"),
        (["--gemm", "12x-1x3"], "N must be a non-negative integer"),
        (["--dense", "1x2x3:swish"], "activation must be one of"),
        (["--dense", "1x2x3"], "expected MxNxK:ACT"),
        (["--conv", "mb1ic3ih5oc8kh7"], "oh would be 0"),
        (["--quick=yes"], "--quick takes no value"),
        (["--out", ""], "--out needs a file path"),
        (["--regressions-out"], "--regressions-out needs a value"),
    ])
    func rejects(_ arguments: [String], _ message: String) {
        do {
            _ = try BenchOptions(parsing: arguments)
            Issue.record("accepted \(arguments)")
        } catch let error as UsageError {
            #expect(error.message.contains(message), "\(arguments): \(error.message)")
            #expect(!error.message.contains("\n"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func badCommandLineExitsWithStatusTwo() {
        #expect(BenchCommand.main(["--nope"]) == 2)
        #expect(BenchCommand.main(["--gemm", "axbxc"]) == 2)
        #expect(BenchCommand.main(["--variant", "fastest", "--allow-debug"]) == 2)
    }

    @Test func unknownGoogleBenchmarkFlagExitsWithStatusTwo() {
        #expect(BenchCommand.main(["--allow-debug", "--suite", "peak", "--benchmark_no_such_flag=1"]) == 2)
    }

    /// A report path that cannot be written is a bad command line, found before anything is
    /// timed (the debug build would otherwise run the probes, then fail writing with status 1).
    @Test func unwritableReportPathExitsWithStatusTwoBeforeTiming() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nnk-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let plainFile = folder.appendingPathComponent("plain").path
        #expect(FileManager.default.createFile(atPath: plainFile, contents: Data()))
        for path in [plainFile + "/report.csv", folder.path] {
            #expect(BenchCommand.main(["--allow-debug", "--suite", "peak", "--out", path]) == 2, "\(path)")
        }
        // A baseline that can be read, so only the regressions' path is wrong.
        let baseline = folder.appendingPathComponent("baseline.csv").path
        try CSVReport.write([ReportRow(suite: "gemm", kernel: "sgemm", variant: "naive", shape: "2x2x2", threads: 1,
                                       repetitions: 1, iterations: 1, medianMs: 1, minMs: 1, maxMs: 1, cvPercent: 0)],
                            to: baseline)
        #expect(BenchCommand.main(["--allow-debug", "--out", folder.appendingPathComponent("r.csv").path,
                                   "--compare", baseline, "--regressions-out", plainFile + "/keys.txt"]) == 2)
        do {
            try ReportDestination.prepare(plainFile + "/report.csv", option: "--out")
            Issue.record("a path under a plain file was accepted")
        } catch let error as UsageError {
            #expect(error.message.hasPrefix("--out: cannot create the folder"), "\(error.message)")
            #expect(!error.message.contains("\n") && !error.message.contains("Domain="), "\(error.message)")
        }
        // A path that can be written is left as it was found: no empty report if the run fails.
        let fresh = folder.appendingPathComponent("new/deeper/report.csv").path
        try ReportDestination.prepare(fresh, option: "--out")
        #expect(!FileManager.default.fileExists(atPath: fresh))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("new/deeper").path))
    }

    @Test func benchmarkFilterSelectsAndNegates() throws {
        let positive = try GoogleBenchmarkRunner(flags: ["--benchmark_filter=packed/64"], defaultRepetitions: 1, defaultMinTime: 0.01)
        #expect(positive.selects("gemm/sgemm/packed/64x64x64/threads:1"))
        #expect(!positive.selects("gemm/sgemm/simd/64x64x64/threads:1"))
        let negative = try GoogleBenchmarkRunner(flags: ["--benchmark_filter=-simd"], defaultRepetitions: 1, defaultMinTime: 0.01)
        #expect(negative.selects("gemm/sgemm/packed/64x64x64/threads:1"))
        #expect(!negative.selects("gemm/sgemm/simd/64x64x64/threads:1"))
        #expect(throws: UsageError.self) {
            _ = try GoogleBenchmarkRunner(flags: ["--benchmark_filter=("], defaultRepetitions: 1, defaultMinTime: 0.01)
        }
    }

    @Test func helpListAndTopologySucceed() {
        #expect(BenchCommand.main(["--help"]) == 0)
        #expect(BenchCommand.main(["--list"]) == 0)
        #expect(BenchCommand.main(["--topology"]) == 0)
    }

    @Test func debugBuildsRefuseToReport() {
        if RunMetadata.buildConfiguration == "debug" {
            #expect(BenchCommand.main(["--suite", "peak"]) == 2)
        }
    }
}

@Suite("Shapes and descriptors")
struct ShapeTests {
    @Test func gemmShape() throws {
        let shape = try GemmShape(parsing: "256x1024x4096")
        #expect(shape == GemmShape(m: 256, n: 1024, k: 4096))
        #expect(shape.description == "256x1024x4096")
        #expect(shape.flops == 2 * 256 * 1024 * 4096)
        #expect(try GemmShape(parsing: "0x1x0").flops == 0)
    }

    @Test func convDescriptorDefaultsFollowBenchdnn() throws {
        let conv = try ConvDescriptor(parsing: "mb1ic64ih56oc64oh56kh3ph1")
        #expect(conv.mb == 1 && conv.groups == 1)
        #expect(conv.iw == 56 && conv.ow == 56 && conv.kw == 3 && conv.pw == 1 && conv.sw == 1)
        #expect(conv.flops == 2 * 64 * 56 * 56 * 64 * 9)
        let defaults = try ConvDescriptor(parsing: "ic3ih224oc64kh7sh2ph3")
        #expect(defaults.mb == 2)
        #expect(defaults.oh == 112 && defaults.ow == 112)
        let named = try ConvDescriptor(parsing: "mb8ic256ih56oc64oh56kh1n\"resnet_50:res2a_branch2a\"")
        #expect(named.name == "resnet_50:res2a_branch2a")
        #expect(named.description == "mb8ic256ih56oc64oh56kh1")
        let dilated = try ConvDescriptor(parsing: "mb1ic8ih20oc8kh3dh1")
        #expect(dilated.oh == 16)
        let depthwise = try ConvDescriptor(parsing: "mb1g32ic32ih14oc32kh3ph1")
        #expect(depthwise.flops == 2 * 32 * 14 * 14 * 1 * 9)
    }

    @Test("bad descriptors name the field", arguments: [
        ("mb1ic3ih4oc8kh5", "oh would be 0"),
        ("mb1g3ic8ih8oc9kh3", "ic (8) must be divisible by g (3)"),
        ("mb1g2ic8ih8oc9kh3", "oc (9) must be divisible by g (2)"),
        ("mb1ic8ih8oc8kh3oh7", "oh is 7 but"),
        ("mb1ic8ih8oc8kh3sh0", "sh must be at least 1"),
        ("mb1ic8ih8kh3", "field oc is required"),
        ("mb1ic8ih8oc8kh3zz1", "unknown field"),
        ("mb1ic8ic9ih8oc8kh3", "field ic given twice"),
        ("mb1ic8ih8oc8kh3n\"x", "must be quoted"),
    ])
    func badDescriptors(_ text: String, _ message: String) {
        #expect {
            _ = try ConvDescriptor(parsing: text)
        } throws: { error in
            (error as? UsageError)?.message.contains(message) ?? false
        }
    }
}
