import Dispatch
import Foundation
import Synchronization
import Testing
import NNKernels

/// A library is called from several threads at once (a server running one network per request,
/// or the tests themselves, which run in parallel). Calls that start together must each get
/// their own correct result: no shared scratch, no job of the worker pool crossing to another
/// caller, and the kernels' first calls in a process racing each other.
@Suite("Callers on several threads at once")
struct ConcurrentCallersTests {
    /// Row-stream shapes (1 to 11 rows) and packed ones, each on 1 and 2 threads.
    static func cases() -> [(GemmCase, threads: Int)] {
        var rng = SplitMix64(seed: 2026_12_06)
        var cases: [(GemmCase, threads: Int)] = []
        let shapes = [(1, 129, 9), (2, 67, 8), (3, 143, 5), (5, 40, 17), (7, 300, 6), (11, 37, 31),
                      (13, 37, 17), (29, 129, 31), (64, 65, 64)]
        for (index, (m, n, k)) in shapes.enumerated() {
            for threads in [1, 2] {
                let (alpha, beta): (Float, Float) = [(1, 0), (0.5, 0), (-1.5, 0.5)][index % 3]
                cases.append((GemmCase(transA: .none, transB: .none, m: m, n: n, k: k, alpha: alpha, beta: beta,
                                       padding: 3, rng: &rng), threads))
            }
        }
        return cases
    }

    @Test("GEMM calls started together on four threads, every shape against the Double reference",
          arguments: GemmMicrokernels.all.filter(\.isSupported).map(\.name))
    func gemmCallsStartedTogether(_ name: String) throws {
        let kernel = try #require(GemmMicrokernels.named(name))
        let cases = Self.cases()
        let callers = 4
        // Each caller's results, filled from its own thread; read only after all have finished.
        let results = UnsafeMutableBufferPointer<[Float]?>.allocate(capacity: callers * cases.count)
        results.initialize(repeating: nil)
        defer {
            _ = results.deinitialize()
            results.deallocate()
        }
        let probeSums = UnsafeMutableBufferPointer<Float>.allocate(capacity: callers)
        probeSums.initialize(repeating: .nan)
        defer { probeSums.deallocate() }
        let started = StartLine()
        let shared = UncheckedSendable((results, probeSums))
        // Threads of their own: a dispatch queue would run no more callers at once than there are
        // cores, and those at the start line would wait for the others forever.
        let finished = DispatchGroup()
        for caller in 0..<callers {
            finished.enter()
            Thread.detachNewThread {
                defer { finished.leave() }
                let (results, probeSums) = shared.value
                // Callers wait for one another, so that their first calls into the kernels overlap.
                started.count.add(1, ordering: .acquiringAndReleasing)
                while started.count.load(ordering: .acquiring) < callers {}
                // Half the callers first run the L2 read probe, whose sums are the same generic
                // vector type as the one-row tile's B row: the CI run that aborted had both start.
                if caller % 2 == 1 {
                    var probeInput = [Float](repeating: 1, count: 4096)
                    CacheReadProbe.run(buffer: &probeInput, count: 4096, workers: 1, results: probeSums.baseAddress! + caller)
                }
                // Each caller walks the cases in its own order.
                for step in 0..<cases.count {
                    let index = (step + caller * 5) % cases.count
                    let (testCase, threads) = cases[index]
                    results[caller * cases.count + index] =
                        try? testCase.run { kernel.packedGemm($0, threads: threads, minimumFlopsPerExtraWorker: 0) }
                }
            }
        }
        finished.wait()
        for caller in stride(from: 1, to: callers, by: 2) {
            #expect(probeSums[caller] == 4096, "caller \(caller)'s L2 read probe sum")
        }
        for caller in 0..<callers {
            for (index, (testCase, threads)) in cases.enumerated() {
                guard let result = results[caller * cases.count + index] else {
                    Issue.record("\(name) caller \(caller) threads=\(threads) \(testCase): no result")
                    continue
                }
                testCase.check(result, "\(name) caller \(caller) threads=\(threads)")
            }
        }
    }
}

/// Where callers wait until all have arrived.
final class StartLine: Sendable {
    let count = Atomic<Int>(0)
}
