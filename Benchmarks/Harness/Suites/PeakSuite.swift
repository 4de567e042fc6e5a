import NNKernels

/// The yardsticks measured in every run: the FP32 FMA peak and the triad memory bandwidth at
/// each thread count. Every other row's `pct_peak` and `pct_bw` are shares of these.
///
/// A second triad, `cache-triad`, runs on arrays that fit in the last-level cache. Reports do
/// not use it; the regression check does, for rows whose traffic stays in that cache (a quick
/// activation row moves 2 MiB): a neighbour contending for the shared L3 slows them and it,
/// while the memory triad does not notice (measured in CI: a 2 MiB ReLU 23% slower through two
/// measurements, against a memory triad as fast as the baseline's).
enum PeakSuite: BenchSuite {
    static let name = "peak"
    static let fmaKernel = "fma"
    static let triadKernel = "triad"
    static let cacheTriadKernel = "cache-triad"
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
         "cache-triad: the same over 3 arrays of \(cacheTriadElements) floats, a quarter of the L3 (for the regression check)"]
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
        return cases
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
