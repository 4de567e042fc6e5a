import NNKernels

/// The yardsticks measured in every run: the FP32 FMA peak and the triad memory bandwidth at
/// each thread count. Every other row's `pct_peak` and `pct_bw` are shares of these.
enum PeakSuite: BenchSuite {
    static let name = "peak"
    static let fmaKernel = "fma"
    static let triadKernel = "triad"
    static var variants: [String] { [fmaVariant, "simd16"] }

    static var fmaVariant: String { "simd\(FMAPeakProbe.vectorLanes)x\(FMAPeakProbe.chains)" }
    /// 16 Mi floats per array, 192 MiB for the three: six times a 32 MiB L3, small enough for
    /// any machine that builds the project.
    static let triadElements = 1 << 24

    static func workloadDescriptions(quick: Bool) throws -> [String] {
        ["fma: \(FMAPeakProbe.chains) independent FMA chains of \(FMAPeakProbe.vectorLanes)-lane vectors per thread",
         "triad: a = b + s * c over 3 arrays of \(triadElements) floats"]
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
            let n = triadElements
            cases.append(BenchCase(suite: name, kernel: triadKernel, variant: "simd16", shape: "n:\(n)", threads: threads,
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
            })
        }
        return cases
    }
}
