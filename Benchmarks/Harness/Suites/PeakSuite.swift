import NNKernels

/// The yardsticks measured in every run: the FP32 FMA peak and the triad memory bandwidth at
/// each thread count. Every other row's `pct_peak` and `pct_bw` are shares of these.
///
/// A second triad, `cache-triad`, runs on arrays that fit in the last-level cache. Reports do
/// not use it; the regression check does, for rows whose traffic stays in that cache (a quick
/// activation row moves 2 MiB): a neighbour contending for the shared L3 slows them and it,
/// while the memory triad does not notice (measured in CI: a 2 MiB ReLU 23% slower through two
/// measurements, against a memory triad as fast as the baseline's).
///
/// `l2-read` is each core reading half of its own L2 (`CacheReadProbe`): the ceiling of a GEMM at
/// batch 1 whose weights stay in L2, reported for the README and notes, not used in shares.
enum PeakSuite: BenchSuite {
    static let name = "peak"
    static let fmaKernel = "fma"
    static let triadKernel = "triad"
    static let cacheTriadKernel = "cache-triad"
    static let l2ReadKernel = "l2-read"
    static var variants: [String] { [fmaVariant, "simd16"] }

    static var fmaVariant: String { "simd\(FMAPeakProbe.vectorLanes)x\(FMAPeakProbe.chains)" }
    /// 16 Mi floats per array, 192 MiB for the three: six times a 32 MiB L3, small enough for
    /// any machine that builds the project.
    static let triadElements = 1 << 24
    /// Three arrays filling a quarter of one L3 instance (8 MiB of a 32 MiB L3): resident in it
    /// with room for the rest of the process, and larger than any L2.
    static var cacheTriadElements: Int {
        max(1 << 12, Topology.current.l3.sizeBytes / 4 / TriadProbe.bytesPerElement / 4096 * 4096)
    }

    static func workloadDescriptions(quick: Bool) throws -> [String] {
        ["fma: \(FMAPeakProbe.chains) independent FMA chains of \(FMAPeakProbe.vectorLanes)-lane vectors per thread",
         "triad: a = b + s * c over 3 arrays of \(triadElements) floats",
         "cache-triad: the same over 3 arrays of \(cacheTriadElements) floats, a quarter of the L3 (for the regression check)",
         "l2-read: each thread sums \(l2ReadFloats) floats of its own, half of one core's L2"]
    }

    static func cases(_ request: SuiteRequest) throws -> [BenchCase] {
        let steps = request.quick ? 1 << 19 : 1 << 21
        var cases: [BenchCase] = []
        for threads in request.threads {
            cases.append(BenchCase(suite: name, kernel: fmaKernel, variant: fmaVariant, shape: "steps:\(steps)",
                                   threads: threads, flops: FMAPeakProbe.flops(steps: steps) * Double(threads)) {
                let results = UnsafeMutablePointer<Float>.allocate(capacity: threads)
                results.initialize(repeating: 0, count: threads)
                return PreparedCase(
                    body: { FMAPeakProbe.run(steps: steps, workers: threads, results: results) },
                    check: {
                        FMAPeakProbe.run(steps: steps, workers: threads, results: results)
                        let finite = (0..<threads).allSatisfy { results[$0].isFinite && results[$0] > 0 }
                        return CheckOutcome(passed: finite, maxError: 0)
                    },
                    release: { results.deallocate() })
            })
        }
        for threads in request.threads {
            cases.append(triadCase(kernel: triadKernel, elements: triadElements, threads: threads))
        }
        for threads in request.threads {
            cases.append(triadCase(kernel: cacheTriadKernel, elements: cacheTriadElements, threads: threads))
        }
        for threads in request.threads { cases.append(l2ReadCase(threads: threads)) }
        return cases
    }

    static var l2ReadFloats: Int { CacheReadProbe.floatsPerWorker(l2Bytes: Topology.current.l2.sizeBytes) }

    /// Every thread sums its own half of an L2; the check compares each sum with the exact one.
    static func l2ReadCase(threads: Int) -> BenchCase {
        let n = l2ReadFloats
        return BenchCase(suite: name, kernel: l2ReadKernel, variant: "simd16", shape: "n:\(n)", threads: threads, flops: 0,
                         bytes: Double(n * threads * MemoryLayout<Float>.stride)) {
            let buffer = AlignedFloatBuffer(count: n * threads)
            // Small integers: every partial sum is exact in Float, so the check can ask for equality.
            for i in 0..<buffer.count { buffer.pointer[i] = Float(i % 3) }
            let results = UnsafeMutablePointer<Float>.allocate(capacity: threads)
            results.initialize(repeating: 0, count: threads)
            return PreparedCase(
                body: { CacheReadProbe.run(buffer: buffer.pointer, count: n, workers: threads, results: results) },
                check: {
                    CacheReadProbe.run(buffer: buffer.pointer, count: n, workers: threads, results: results)
                    // Each worker's slice starts at a multiple of n, so its pattern is shifted by n % 3.
                    let worst = (0..<threads).map { w in
                        let shifted = Float((0..<n).reduce(0) { $0 + ($1 + w * n) % 3 })
                        return Double(abs(results[w] - shifted))
                    }.max() ?? 0
                    return CheckOutcome(passed: worst == 0, maxError: worst)
                },
                release: { buffer.deallocate(); results.deallocate() })
        }
    }

    /// a = b + s * c over `elements` floats per array, split between `threads` workers.
    static func triadCase(kernel: String, elements n: Int, threads: Int) -> BenchCase {
        BenchCase(suite: name, kernel: kernel, variant: "simd16", shape: "n:\(n)", threads: threads,
                  flops: 2 * Double(n), bytes: Double(n * TriadProbe.bytesPerElement)) {
            let a = AlignedFloatBuffer(count: n), b = AlignedFloatBuffer(count: n), c = AlignedFloatBuffer(count: n)
            for i in 0..<n {
                a.pointer[i] = 0
                b.pointer[i] = Float(i % 1000)
                c.pointer[i] = Float(i % 7)
            }
            return PreparedCase(
                body: { TriadProbe.run(a: a.pointer, b: b.pointer, c: c.pointer, count: n, scalar: 3, workers: threads) },
                check: {
                    TriadProbe.run(a: a.pointer, b: b.pointer, c: c.pointer, count: n, scalar: 3, workers: threads)
                    var worst = 0.0
                    for i in stride(from: 0, to: n, by: 997) {
                        worst = max(worst, abs(Double(a.pointer[i]) - Double(i % 1000 + 3 * (i % 7))))
                    }
                    return CheckOutcome(passed: worst == 0, maxError: worst)
                },
                release: { a.deallocate(); b.deallocate(); c.deallocate() })
        }
    }
}
