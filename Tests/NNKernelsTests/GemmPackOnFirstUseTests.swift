import Testing
@testable import NNKernels

/// B packed by the tiles that first use each micro-panel (`PackedGemmSchedule.packsBOnFirstUse`):
/// one worker over several blocks of rows, or two workers that split B's micro-panels; several
/// column blocks and k slices, the last micro-panel partial, so the tile that packs it pads it.
@Suite("GEMM with B packed by its first tiles")
struct GemmPackOnFirstUseTests {
    @Test("against the reference, every microkernel, 1 and 2 workers", arguments: GemmDriverTests.kernels.map(\.name), [1, 2])
    func packedOnFirstUse(_ name: String, workers: Int) throws {
        let kernel = try #require(GemmMicrokernels.named(name))
        let blocking = GemmBlocking(mc: 4 * kernel.mr, kc: 8, nc: 10 * kernel.nr)
        var rng = SplitMix64(seed: 4242 + UInt64(workers))
        // One worker: three blocks of rows, the last short, for a microkernel that streams B from
        // L2; one block for one that keeps B in L1, which packs B in a phase for several blocks at
        // KC slices (`GemmPhasePackingTests`). Two: few rows, so the micro-panels are split.
        let ms = workers == 1
            ? (kernel.residency == .l2 ? [9 * kernel.mr + 2, kernel.mr, 4 * kernel.mr] : [4 * kernel.mr - 1, kernel.mr, 4 * kernel.mr])
            : [3 * kernel.mr + 1, kernel.mr, 2 * kernel.mr - 1]
        for m in ms {
            for (n, k) in [(23 * kernel.nr + 5, 29), (20 * kernel.nr, 8), (kernel.nr - 3, 17), (31 * kernel.nr + 1, 1)] {
                let schedule = PackedGemmSchedule(m: m, n: n, k: k, mr: kernel.mr, nr: kernel.nr, blocking: blocking,
                                                  requestedWorkers: workers, minimumFlopsPerExtraWorker: 0,
                                                  bReadableInPlace: true, bPanelsInL1: kernel.residency == .l1)
                #expect(schedule.packsBOnFirstUse && schedule.packChunks == 0 && schedule.workers == workers,
                        "\(name): \(m) x \(n) x \(k) on \(workers) should pack B in its first tiles")
                try GemmCase.checkPacked(kernel, m: m, n: n, k: k, workers: workers, blocking: blocking, rng: &rng,
                                         "\(name) MRxNR=\(kernel.mr)x\(kernel.nr) \(blocking) workers=\(workers)")
            }
        }
    }

    /// One worker over many blocks of rows with a depth past KC (`PackedGemmSchedule.packsBOnce`):
    /// one slice of the whole depth (up to three KC), and only the first block of rows of each
    /// phase packs B; the blocks after it read that panel. Several column blocks, so the one
    /// panel buffer is packed again at every phase; the last micro-panel is partial, and so is
    /// the last block of rows in two of the shapes.
    @Test("one worker packs B once per phase for all its blocks of rows", arguments: GemmDriverTests.kernels.map(\.name))
    func packedOncePerPhase(_ name: String) throws {
        let kernel = try #require(GemmMicrokernels.named(name))
        let blocking = GemmBlocking(mc: 4 * kernel.mr, kc: 8, nc: 10 * kernel.nr)
        var rng = SplitMix64(seed: 977)
        for (m, n, k) in [(10 * kernel.mr - 1, 23 * kernel.nr + 5, 23), (5 * kernel.mr, 6 * kernel.nr - 1, 17),
                          (4 * kernel.mr + 3, 9 * kernel.nr, 9)] {
            let schedule = PackedGemmSchedule(m: m, n: n, k: k, mr: kernel.mr, nr: kernel.nr, blocking: blocking,
                                              requestedWorkers: 1, minimumFlopsPerExtraWorker: 0, bReadableInPlace: true,
                                              bPanelsInL1: kernel.residency == .l1)
            #expect(schedule.packsBOnce && schedule.packsBOnFirstUse && schedule.computeChunks > 1 && schedule.kc == k
                    && schedule.columnBlocks > 1,
                    "\(name): \(m) x \(n) x \(k) should pack B once a phase, in one slice of the whole depth")
            // A worker's share of the rows beside another keeps the KC slices.
            let share = PackedGemmSchedule(m: m, n: n, k: k, mr: kernel.mr, nr: kernel.nr, blocking: blocking,
                                           requestedWorkers: 1, minimumFlopsPerExtraWorker: 0, bReadableInPlace: true,
                                           besideOtherWorkers: true)
            #expect(!share.packsBOnce && share.kc <= blocking.kc, "\(name): a row share of \(m) x \(n) x \(k)")
            for transA in [Transpose.none, .transposed] {
                for (alpha, beta): (Float, Float) in [(1, 0), (-0.5, 1.5)] {
                    let testCase = GemmCase(transA: transA, transB: .none, m: m, n: n, k: k, alpha: alpha, beta: beta,
                                            padding: 3, rng: &rng)
                    let result = try testCase.run {
                        kernel.packedGemm($0, threads: 1, blocking: blocking, minimumFlopsPerExtraWorker: 0)
                    }
                    testCase.check(result, "\(name) MRxNR=\(kernel.mr)x\(kernel.nr) \(blocking) packed once")
                }
            }
        }
    }

    /// B transposed cannot be read a row of NR floats at a time, and two workers that split the
    /// rows share every micro-panel: both keep packing chunks.
    @Test("transposed B and a split of rows keep packing chunks")
    func packingChunksRemain() {
        let blocking = GemmBlocking(mc: 48, kc: 8, nc: 320)
        let transposed = PackedGemmSchedule(m: 100, n: 200, k: 30, mr: 12, nr: 32, blocking: blocking, requestedWorkers: 1,
                                            minimumFlopsPerExtraWorker: 0, bReadableInPlace: false)
        let rows = PackedGemmSchedule(m: 500, n: 64, k: 30, mr: 12, nr: 32, blocking: blocking, requestedWorkers: 2,
                                      minimumFlopsPerExtraWorker: 0, bReadableInPlace: true)
        #expect(!transposed.packsBOnFirstUse && transposed.packChunks == 1)
        #expect(rows.split == .rows && !rows.packsBOnFirstUse && rows.packChunks == 2)
    }
}
