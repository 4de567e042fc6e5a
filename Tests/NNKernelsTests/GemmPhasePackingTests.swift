import Testing
@testable import NNKernels

/// B packed in a phase of its own for microkernels whose B micro-panel lives in L1, when one
/// worker's panel of a KC slice serves two or more blocks of rows
/// (`PackedGemmSchedule.packsBInPhaseForRowBlocks`); every other shape keeps B packed by its
/// first tiles.
@Suite("GEMM with B packed in a phase for L1-resident tiles")
struct GemmPhasePackingTests {
    /// The rule at the AVX2 host's blocking, on the shapes it was timed at.
    @Test("which shapes pack B in a phase")
    func rule() {
        let blocking = GemmBlocking(mc: 240, kc: 272, nc: 15408)
        func schedule(_ m: Int, _ n: Int, _ k: Int, workers: Int = 1, inL1: Bool = true,
                      beside: Bool = false, transB: Bool = false) -> PackedGemmSchedule {
            PackedGemmSchedule(m: m, n: n, k: k, mr: 6, nr: 16, blocking: blocking, requestedWorkers: workers,
                               minimumFlopsPerExtraWorker: 0, bReadableInPlace: !transB, aReadableInPlace: true,
                               besideOtherWorkers: beside, bPanelsInL1: inL1)
        }
        // Several blocks of rows at KC slices: a packing chunk a phase, no packing tile. (512 rows
        // end in a micro-panel of two, which keeps KC slices rather than one slice packed once.)
        for (m, n, k) in [(1024, 1024, 1024), (2048, 2048, 2048), (480, 1024, 1024), (256, 1024, 1024), (2048, 1024, 256),
                          (512, 512, 512)] {
            let s = schedule(m, n, k)
            #expect(s.packsBInPhaseForRowBlocks && !s.packsBOnFirstUse && s.packChunks == 1 && s.computeChunks >= 2,
                    "\(m) x \(n) x \(k) should pack B in a phase")
            // The same shape for a tile that streams B from L2 keeps the packing tiles.
            let l2 = schedule(m, n, k, inL1: false)
            #expect(!l2.packsBInPhaseForRowBlocks && l2.packsBOnFirstUse && l2.packChunks == 0)
        }
        // A row share beside another worker, of several blocks: the same.
        let share = schedule(1024, 2048, 2048, beside: true)
        #expect(share.packsBInPhaseForRowBlocks && share.packChunks == 1)
        // One block of rows, one slice of the whole depth, or two workers splitting B's
        // micro-panels: packed by the first tiles.
        for (m, n, k, workers) in [(64, 1024, 4096, 1), (240, 1024, 1024, 1), (768, 768, 768, 1), (1024, 1024, 512, 1),
                                   (256, 3072, 768, 1), (64, 1024, 4096, 2)] {
            let s = schedule(m, n, k, workers: workers)
            #expect(!s.packsBInPhaseForRowBlocks && s.packsBOnFirstUse && s.packChunks == 0,
                    "\(m) x \(n) x \(k) on \(workers) should pack B in its first tiles")
        }
        // Two workers splitting the rows run alone (each share decides for itself); transposed B
        // is packed in phases anyway.
        #expect(schedule(2048, 2048, 2048, workers: 2).rowSharesRunAlone)
        let transposed = schedule(1024, 1024, 1024, transB: true)
        #expect(!transposed.packsBInPhaseForRowBlocks && !transposed.packsBOnFirstUse && transposed.packChunks == 1)
    }

    /// Through the production entry of every supported microkernel with L1-resident panels:
    /// several blocks of rows (the last short), several column blocks with a partial last
    /// micro-panel, depths at KC slices and of one slice; one worker, and two that split the rows.
    @Test("against the reference, L1-resident microkernels, 1 and 2 workers",
          arguments: GemmDriverTests.kernels.filter { $0.residency == .l1 }.map(\.name), [1, 2])
    func phasePacked(_ name: String, workers: Int) throws {
        let kernel = try #require(GemmMicrokernels.named(name))
        let blocking = GemmBlocking(mc: 2 * kernel.mr, kc: 8, nc: 5 * kernel.nr)
        var rng = SplitMix64(seed: 6007 + UInt64(workers))
        // Two workers split the rows (and so run alone) from eight micro-panels of rows on.
        let ms = workers == 1 ? [2 * kernel.mr + 1, 4 * kernel.mr + 1, 10 * kernel.mr]
            : [8 * kernel.mr + 1, 10 * kernel.mr, 13 * kernel.mr + 2]
        for m in ms {
            // More than four micro-panels of columns, so that A is packed (not read in place).
            for (n, k) in [(11 * kernel.nr + 5, 29), (5 * kernel.nr, 8), (6 * kernel.nr - 3, 31), (7 * kernel.nr + 1, 1)] {
                // Each worker's share of the rows, as the driver cuts it (whole micro-panels).
                let panels = (m + kernel.mr - 1) / kernel.mr
                let shareRows = min(m, (panels + workers - 1) / workers * kernel.mr)
                let schedule = PackedGemmSchedule(m: shareRows, n: n, k: k, mr: kernel.mr, nr: kernel.nr, blocking: blocking,
                                                  requestedWorkers: 1, minimumFlopsPerExtraWorker: 0,
                                                  bReadableInPlace: true, aReadableInPlace: true,
                                                  besideOtherWorkers: workers > 1, bPanelsInL1: true)
                #expect(schedule.packsBInPhaseForRowBlocks,
                        "\(name): a share of \(shareRows) rows of \(m) x \(n) x \(k) should pack B in a phase")
                try GemmCase.checkPacked(kernel, m: m, n: n, k: k, workers: workers, blocking: blocking, rng: &rng,
                                         "\(name) MRxNR=\(kernel.mr)x\(kernel.nr) \(blocking) workers=\(workers) B packed in a phase")
            }
        }
    }
}
