import Testing
@testable import NNKernels

/// The packed driver's streaming mode (`PackedGemmSchedule.prefetchesNextPanel`): one worker,
/// every row of A in one MC block, all of A small and a B panel too large for L2, so B goes in narrow panels
/// whose next source is fetched during the tiles, and A is packed once in full depth.
@Suite("GEMM with narrow streamed B panels")
struct GemmStreamedPanelTests {
    @Test("rows of one MC block against the reference, every microkernel", arguments: GemmDriverTests.kernels.map(\.name))
    func streamedPanels(_ name: String) throws {
        let kernel = try #require(GemmMicrokernels.named(name))
        // Eight k steps a slice: depth 29 is four slices (the last of 5) for MR + 1 rows, whose
        // last micro-panel of one row keeps the slices; the other row counts take the whole
        // depth as one slice (all of A fits half of "L2"). Room in the MC x KC block for all of
        // A up to 4 MR rows that deep, and n of many panels and a tail, too wide for "L2" (two
        // such blocks): several narrow column blocks.
        let blocking = GemmBlocking(mc: 16 * kernel.mr, kc: 8, nc: 64 * kernel.nr)
        var rng = SplitMix64(seed: 1789)
        for m in [kernel.mr, kernel.mr + 1, 4 * kernel.mr - 1, 4 * kernel.mr] {
            for (transA, transB) in [(Transpose.none, Transpose.none), (.transposed, .transposed), (.none, .transposed)] {
                for (n, k) in [(17 * kernel.nr + 3, 29), (20 * kernel.nr, 8), (18 * kernel.nr + 1, 30)] {
                    let schedule = PackedGemmSchedule(m: m, n: n, k: k, mr: kernel.mr, nr: kernel.nr, blocking: blocking,
                                                      requestedWorkers: 1, minimumFlopsPerExtraWorker: 0)
                    #expect(schedule.prefetchesNextPanel && schedule.columnBlocks > 1,
                            "\(name): \(m) x \(n) x \(k) should stream narrow B panels")
                    let (alpha, beta): (Float, Float) = [(1, 0), (-0.5, 1.5), (2, 1)][(m + n + k) % 3]
                    let testCase = GemmCase(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
                                            padding: 3, rng: &rng)
                    let result = try testCase.run { kernel.packedGemm($0, threads: 1, blocking: blocking) }
                    testCase.check(result, "\(name) MRxNR=\(kernel.mr)x\(kernel.nr) \(blocking) streamed")
                }
            }
        }
    }

    /// Two workers meet at every phase, so they keep the wide panels.
    @Test("two workers keep wide panels")
    func twoWorkersKeepWidePanels() {
        let blocking = GemmBlocking(mc: 240, kc: 272, nc: 15408)
        let one = PackedGemmSchedule(m: 64, n: 3072, k: 768, mr: 6, nr: 16, blocking: blocking, requestedWorkers: 1,
                                     minimumFlopsPerExtraWorker: 0)
        let two = PackedGemmSchedule(m: 64, n: 3072, k: 768, mr: 6, nr: 16, blocking: blocking, requestedWorkers: 2,
                                     minimumFlopsPerExtraWorker: 0)
        // All of A (64 x 768) fits half of L2, so the whole depth is one k slice; the panel
        // of B and the next one's source then share the other half: 32 columns of 768 rows.
        #expect(one.prefetchesNextPanel && one.kc == 768 && one.nc == 32)
        #expect(!two.prefetchesNextPanel && two.kc == 768 && two.nc == 3072)
    }
}
