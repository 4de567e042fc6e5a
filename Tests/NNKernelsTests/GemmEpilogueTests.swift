import Testing
import NNKernels

/// The fused epilogue `C = act(alpha * op(A) * op(B) + beta * C + bias)`: on each microkernel
/// alone, and through the packed driver, where it must run once, after the last k slice.
@Suite("GEMM epilogue: bias and activation")
struct GemmEpilogueTests {
    static let kernels = GemmMicrokernels.all.filter(\.isSupported)

    @Test("microkernel epilogue for every activation", arguments: kernels.map(\.name))
    func microkernelEpilogue(_ name: String) throws {
        let kernel = try #require(GemmMicrokernels.named(name))
        var rng = SplitMix64(seed: 0xB1A5)
        let mr = kernel.mr, nr = kernel.nr
        for activation in Activation.all {
            for (kc, alpha, beta, withBias) in [(1, Float(1), Float(0), true), (9, 1, 1, true), (17, -0.5, 0, false), (64, 2, 0.5, true)] {
                let ldc = nr + 5
                let aPanel = [Float].random(count: mr * kc, in: -2...2, using: &rng)
                let bPanel = [Float].random(count: kc * nr, in: -2...2, using: &rng)
                let bias: [Float]? = withBias ? .random(count: nr, in: -3...3, using: &rng) : nil
                var c = beta == 0 ? [Float](repeating: .nan, count: mr * ldc) : [Float].random(count: mr * ldc, using: &rng)
                var a = [Float](repeating: 0, count: mr * kc)
                for r in 0..<mr { for p in 0..<kc { a[r * kc + p] = aPanel[p * mr + r] } }
                let gemm = GemmReference(transA: .none, transB: .none, m: mr, n: nr, k: kc, alpha: alpha,
                                         a: a, lda: kc, b: bPanel, ldb: nr, beta: beta, c: c, ldc: ldc)
                let reference = FusedReference(gemm, n: nr, bias: bias, activation: activation)
                let biasStorage = bias ?? [0]
                aPanel.withUnsafeBufferPointer { ap in
                    bPanel.withUnsafeBufferPointer { bp in
                        biasStorage.withUnsafeBufferPointer { biasPointer in
                            c.withUnsafeMutableBufferPointer { cp in
                                kernel.microkernel(kc, ap.baseAddress!, bp.baseAddress!, cp.baseAddress!, ldc, alpha, beta,
                                                   TileEpilogue(bias: withBias ? biasPointer.baseAddress : nil,
                                                                activation: activation))
                            }
                        }
                    }
                }
                let mismatch = reference.firstMismatch(c, n: nr, ldc: ldc)
                #expect(mismatch == nil, "\(name) MRxNR=\(mr)x\(nr) kc=\(kc) \(activation) bias=\(withBias) alpha=\(alpha) beta=\(beta): \(mismatch ?? "")")
            }
        }
    }

    /// Small blocks give several k slices: the epilogue must see the finished sum only.
    @Test("packed driver epilogue over random shapes, 1 and 2 threads", arguments: kernels.map(\.name), [1, 2])
    func driverEpilogue(_ name: String, threads: Int) throws {
        let kernel = try #require(GemmMicrokernels.named(name))
        let blockings = [nil, GemmBlocking(mc: kernel.mr, kc: 3, nc: kernel.nr),
                         GemmBlocking(mc: 2 * kernel.mr, kc: 16, nc: 2 * kernel.nr)]
        var rng = SplitMix64(seed: 77 + UInt64(threads))
        for (index, testCase) in GemmDriverTests.randomCases(count: 36, seed: 500 + UInt64(threads), maxSize: 50).enumerated() {
            let activation = Activation.all[index % Activation.all.count]
            let bias: [Float]? = index % 4 == 3 ? nil : .random(count: testCase.n, in: -2...2, using: &rng)
            // Per-row bias (a convolution's output channels in NCHW) on every third case.
            let rowBias: [Float]? = index % 3 == 1 ? .random(count: testCase.m, in: -2...2, using: &rng) : nil
            let blocking = blockings[index % blockings.count]
            let result = try testCase.run { problem in
                (bias ?? []).withUnsafeBufferPointer { biasPointer in
                    (rowBias ?? []).withUnsafeBufferPointer { rowBiasPointer in
                        kernel.packedGemm(problem, threads: threads, blocking: blocking, minimumFlopsPerExtraWorker: 0,
                                          epilogue: GemmEpilogue(bias: bias == nil ? nil : biasPointer.baseAddress,
                                                                 rowBias: rowBias == nil ? nil : rowBiasPointer.baseAddress,
                                                                 activation: activation))
                    }
                }
            }
            let reference = FusedReference(testCase.reference, n: testCase.n, bias: bias, rowBias: rowBias, activation: activation)
            let mismatch = reference.firstMismatch(result, n: testCase.n, ldc: testCase.ldc)
            #expect(mismatch == nil, "\(name) \(testCase) \(activation) bias=\(bias != nil) rowBias=\(rowBias != nil) \(blocking.map(\.description) ?? "default") threads=\(threads): \(mismatch ?? "")")
        }
    }

    @Test("ReLU keeps NaN, and large sums never become NaN in the epilogue")
    func specialValues() throws {
        let kernel = GemmMicrokernels.preferred
        let m = kernel.mr, n = kernel.nr, k = 2
        // Row 0 of A holds NaN; row 1 is huge and positive, row 2 huge and negative.
        var a = [Float](repeating: 1, count: m * k)
        a[0] = .nan
        a[2] = 1e30; a[3] = 1e30
        a[4] = -1e30; a[5] = -1e30
        let b = [Float](repeating: 1, count: k * n)
        for activation in [Activation.relu, .sigmoid, .tanh, .gelu, .geluErf] {
            var c = [Float](repeating: 0, count: m * n)
            try a.withUnsafeBufferPointer { a in
                try b.withUnsafeBufferPointer { b in
                    try c.withUnsafeMutableBufferPointer { c in
                        let problem = try Gemm.validate(transA: .none, transB: .none, m: m, n: n, k: k, alpha: 1, a: a, lda: k,
                                                        b: b, ldb: n, beta: 0, c: c, ldc: n)
                        kernel.packedGemm(problem, threads: 1, epilogue: GemmEpilogue(activation: activation))
                    }
                }
            }
            #expect(c[0].isNaN, "\(activation) of NaN should be NaN, got \(c[0])")
            #expect(c[n] == Float(activation.reference(2e30)), "\(activation)(2e30) = \(c[n])")
            #expect(c[2 * n] == Float(activation.reference(-2e30)), "\(activation)(-2e30) = \(c[2 * n])")
        }
    }
}
