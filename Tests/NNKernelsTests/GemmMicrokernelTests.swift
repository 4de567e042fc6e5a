import Testing
import NNKernels

/// XNNPACK-style microkernel tester: each supported microkernel on packed panels, with k equal
/// to, below, above and a multiple of the unroll, prime row strides for C, alpha and beta, and
/// beta 0 over a C full of NaN (which must never be read). Each also one vector wide
/// (`narrowMicrokernel`), reading the same micro-panel of B.
@Suite("GEMM microkernels")
struct GemmMicrokernelTests {
    static let kernels = GemmMicrokernels.all.filter(\.isSupported)
    static let depths = [1, 2, 3, 4, 7, 8, 9, 16, 17, 31, 64, 257]

    @Test("microkernel against reference", arguments: kernels.map(\.name))
    func microkernelMatchesReference(_ name: String) throws {
        let kernel = try #require(GemmMicrokernels.named(name))
        var rng = SplitMix64(seed: 0x5EED)
        let mr = kernel.mr, nr = kernel.nr
        let tiles = [(label: "full", columns: nr, run: kernel.microkernel),
                     (label: "narrow", columns: kernel.narrowColumns, run: kernel.narrowMicrokernel)]
        for tile in tiles {
            // The tile's columns: the first `columns` of each row of the NR-wide micro-panel of B.
            let columns = tile.columns
            for kc in Self.depths {
                for (alpha, beta) in [(Float(1), Float(0)), (1, 1), (-0.5, 2), (1.5, 0)] {
                    for ldc in [nr, nr + 3, 2 * nr + 7] {
                        let aPanel = [Float].random(count: mr * kc, using: &rng)
                        let bPanel = [Float].random(count: kc * nr, using: &rng)
                        var c = beta == 0 ? [Float](repeating: .nan, count: mr * ldc)
                                          : [Float].random(count: mr * ldc, using: &rng)
                        // The panels as ordinary matrices: A is mr x kc, B is kc x nr.
                        var a = [Float](repeating: 0, count: mr * kc)
                        for r in 0..<mr { for p in 0..<kc { a[r * kc + p] = aPanel[p * mr + r] } }
                        let reference = GemmReference(transA: .none, transB: .none, m: mr, n: columns, k: kc, alpha: alpha,
                                                      a: a, lda: kc, b: bPanel, ldb: nr, beta: beta, c: c, ldc: ldc)
                        let untouched = c
                        aPanel.withUnsafeBufferPointer { ap in
                            bPanel.withUnsafeBufferPointer { bp in
                                c.withUnsafeMutableBufferPointer { cp in
                                    tile.run(kc, ap.baseAddress!, bp.baseAddress!, cp.baseAddress!, ldc, alpha, beta, .none)
                                }
                            }
                        }
                        let mismatch = reference.firstMismatch(c, n: columns, ldc: ldc)
                        #expect(mismatch == nil, "\(name) \(tile.label) MRxNR=\(mr)x\(columns) kc=\(kc) ldc=\(ldc) alpha=\(alpha) beta=\(beta): \(mismatch ?? "")")
                        // Columns past the tile's, up to ldc, belong to the caller and stay as they were.
                        for r in 0..<mr {
                            for j in columns..<ldc where !(c[r * ldc + j].bitPattern == untouched[r * ldc + j].bitPattern) {
                                Issue.record("\(name) \(tile.label) kc=\(kc) wrote C[\(r),\(j)] outside its tile")
                            }
                        }
                    }
                }
            }
        }
    }
}
