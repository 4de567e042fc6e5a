import _KernelShims

/// The Goto/BLIS loops around one microkernel; the loops never know which microkernel they
/// drive. See `PackedGemmSchedule` for how the work is cut and shared among threads.
enum PackedGemmDriver<Kernel: GemmMicrokernel> {
    /// - Parameters:
    ///   - epilogue: applied to each tile after its last k slice; its biases, if any, must be
    ///     readable (zero-padded) up to n, and m, rounded up to whole micro-panels.
    ///   - prepackedB: op(B) already packed (`PackedGemmWeights`); then `p.b` is not read and
    ///     no phase packs.
    ///   - prepackedA: op(A) already packed into full-depth MR-row micro-panels (an implicit
    ///     im2col writes them straight from the image); then `p.a` is not read and no worker packs A.
    ///   - besideOtherWorkers: this call is one worker's share of the rows (`runRowSharesAlone`),
    ///     run beside the others, which share L3 with it.
    ///   - bPanelsInL1: the microkernel keeps its B micro-panel in L1 (`PanelResidency.l1`).
    static func run(_ p: GemmProblem, threads: Int, blocking: GemmBlocking, minimumFlopsPerExtraWorker: Double,
                    epilogue: GemmEpilogue, prepackedB: PrepackedPanels?, prepackedA: PrepackedPanels? = nil,
                    besideOtherWorkers: Bool = false, bPanelsInL1: Bool = false) {
        TileLayoutWarmUp.ensure()
        let s = PackedGemmSchedule(m: p.m, n: p.n, k: p.k, mr: Kernel.mr, nr: Kernel.nr, blocking: blocking,
                                   requestedWorkers: threads, minimumFlopsPerExtraWorker: minimumFlopsPerExtraWorker,
                                   packsB: prepackedB == nil, bReadableInPlace: p.transB == .none,
                                   aReadableInPlace: p.transA == .none && prepackedA == nil,
                                   aPackedBeforehand: prepackedA != nil, besideOtherWorkers: besideOtherWorkers,
                                   bPanelsInL1: bPanelsInL1)
        if s.rowSharesRunAlone {
            runRowSharesAlone(p, workers: s.workers, blocking: blocking, epilogue: epilogue, bPanelsInL1: bPanelsInL1)
            return
        }
        // Every buffer of the call in one block the thread keeps between calls (`CallScratch`).
        let ownACount = s.prefetchesNextPanel && prepackedA == nil ? (p.m + Kernel.mr - 1) / Kernel.mr * Kernel.mr * p.k : 0
        let packedBCount = prepackedB == nil ? s.packedBPanels * s.packedBCount : 0
        let packedACount = prepackedA == nil ? s.workers * s.packedACount : 0
        let tileCount = s.workers * Kernel.mr * Kernel.nr
        // counters[0]: next chunk to claim; then per phase: packing chunks done, compute chunks
        // done; then per compute chunk: how many phases of it are done.
        let counterCount = 1 + 2 * s.phases + s.computeChunks
        var scratch = CallScratch()
        let ownAOffset = scratch.reserve(Float.self, count: ownACount)
        let packedBOffset = scratch.reserve(Float.self, count: packedBCount)
        let packedAOffset = scratch.reserve(Float.self, count: packedACount)
        let tileOffset = scratch.reserve(Float.self, count: tileCount)
        let counterOffset = scratch.reserve(Int64.self, count: counterCount)
        scratch.take()
        defer { scratch.giveBack() }
        // With B panels narrowed for streaming (`PackedGemmSchedule.prefetchesNextPanel`), every
        // phase would pack its slice of A again (for a batch of 64 against 112-column panels,
        // more than half as many floats as the panel of B): A is packed once instead, in full
        // depth, before the workers start.
        var prepackedA = prepackedA
        if ownACount > 0 {
            let ownA = scratch.region(Float.self, at: ownAOffset, count: ownACount)
            GemmPacking.packA(p, mr: Kernel.mr, i0: 0, rows: p.m, p0: 0, kc: p.k, into: ownA)
            prepackedA = PrepackedPanels(pointer: UnsafePointer(ownA), k: p.k, width: Kernel.mr)
        }
        let packedB = scratch.region(Float.self, at: packedBOffset, count: packedBCount)
        let packedA = scratch.region(Float.self, at: packedAOffset, count: packedACount)
        // A tile with fewer live columns than NR computes into its worker's scratch tile, whose
        // rows past the live ones must hold no garbage.
        let tiles = scratch.region(Float.self, at: tileOffset, count: tileCount)
        tiles.initialize(repeating: 0, count: tileCount)
        let counters = scratch.region(Int64.self, at: counterOffset, count: counterCount)
        counters.initialize(repeating: 0, count: counterCount)
        ParallelRegion.run(workers: s.workers) { worker in
            work(p, s, packedB: packedB, prepackedB: prepackedB, prepackedA: prepackedA, epilogue: epilogue,
                 packedA: packedA + worker * s.packedACount,
                 tile: tiles + worker * Kernel.mr * Kernel.nr, counters: counters)
        }
    }

    /// Each worker multiplies its own share of the rows (whole micro-panels, as equal as they
    /// go) as a one-worker product: its own packed A and B, nothing shared but the caller's
    /// buffers, which the shares touch in disjoint rows of C.
    private static func runRowSharesAlone(_ p: GemmProblem, workers: Int, blocking: GemmBlocking, epilogue: GemmEpilogue,
                                          bPanelsInL1: Bool) {
        let panels = (p.m + Kernel.mr - 1) / Kernel.mr
        ParallelRegion.run(workers: workers) { worker in
            let share = ParallelRegion.share(of: panels, worker: worker, workers: workers)
            let first = share.lowerBound * Kernel.mr
            let rows = min(p.m, share.upperBound * Kernel.mr) - first
            if rows <= 0 { return }
            var part = p
            part.m = rows
            part.a = p.transA == .none ? p.a + first * p.lda : p.a + first
            part.c = p.c + first * p.ldc
            var partEpilogue = epilogue
            partEpilogue.rowBias = epilogue.rowBias.map { $0 + first }
            run(part, threads: 1, blocking: blocking, minimumFlopsPerExtraWorker: .infinity, epilogue: partEpilogue,
                prepackedB: nil, besideOtherWorkers: true, bPanelsInL1: bPanelsInL1)
        }
    }

    /// One worker: claims chunks until none are left.
    private static func work(_ p: GemmProblem, _ s: PackedGemmSchedule, packedB: UnsafeMutablePointer<Float>,
                             prepackedB: PrepackedPanels?, prepackedA: PrepackedPanels?, epilogue: GemmEpilogue,
                             packedA: UnsafeMutablePointer<Float>, tile: UnsafeMutablePointer<Float>,
                             counters: UnsafeMutablePointer<Int64>) {
        let packDone = counters + 1
        let computeDone = counters + 1 + s.phases
        let chunkPhasesDone = counters + 1 + 2 * s.phases
        while true {
            let chunk = Int(nnk_atomic_fetch_add(counters, 1))
            if chunk >= s.totalChunks { return }
            let phase = chunk / s.chunksPerPhase
            let index = chunk % s.chunksPerPhase
            let jc = phase / s.phasesPerColumnBlock * s.nc
            let nc = min(s.nc, p.n - jc)
            // The k slices this phase covers: one, or all of them when chunks run every slice.
            let firstSlice = phase % s.phasesPerColumnBlock
            let slices = s.slicesWithinChunk ? 0..<s.depthBlocks : firstSlice..<(firstSlice + 1)
            // Where a slice's micro-panels of B are, and how far apart.
            func bPanels(pc: Int, kc: Int) -> (UnsafePointer<Float>, Int) {
                if let prepackedB {
                    return (prepackedB.pointer + jc * prepackedB.k + pc * Kernel.nr, prepackedB.panelStride)
                }
                return (UnsafePointer(packedB + s.packedBOffset(phase: phase)), Kernel.nr * kc)
            }
            if index < s.packChunks {
                let pc = firstSlice * s.kc
                let kc = min(s.kc, p.k - pc)
                if phase >= 2 { nnk_wait_until_at_least(computeDone + phase - 2, Int64(s.computeChunks)) }
                let panels = (nc + Kernel.nr - 1) / Kernel.nr
                let first = min(panels, index * s.packChunkPanels)
                GemmPacking.packB(p, nr: Kernel.nr, p0: pc, kc: kc, j0: jc,
                                  panels: first..<min(panels, first + s.packChunkPanels),
                                  into: packedB + s.packedBOffset(phase: phase))
                nnk_atomic_fetch_add(packDone + phase, 1)
            } else {
                nnk_wait_until_at_least(packDone + phase, Int64(s.packChunks))
                let c = index - s.packChunks
                // The previous k slice must be added into this chunk's part of C first. Chunk c
                // covers the same rows (or B micro-panels) in every phase of a column block, so
                // only chunk c of the previous phase is waited for, not the whole phase. A chunk
                // that packs its own micro-panels of B also overwrites those chunk c read two
                // phases ago, in the other half of the double buffer: it waits at every phase.
                if firstSlice > 0 || (s.packsBOnFirstUse && phase > 0) {
                    nnk_wait_until_at_least(chunkPhasesDone + c, Int64(phase))
                }
                let panels = (nc + Kernel.nr - 1) / Kernel.nr
                let (rows, panelRange): (Range<Int>, Range<Int>)
                switch s.split {
                case .rows:
                    rows = min(p.m, c * s.computeChunkSize)..<min(p.m, (c + 1) * s.computeChunkSize)
                    panelRange = 0..<panels
                case .columns:
                    rows = 0..<p.m
                    panelRange = min(panels, c * s.computeChunkSize)..<min(panels, (c + 1) * s.computeChunkSize)
                }
                // The next phase's B source, fetched a little at each tile (one worker, one chunk).
                var nextPanel: NextPanelPrefetch? = nil
                if s.prefetchesNextPanel && phase + 1 < s.phases {
                    let next = phase + 1
                    let nextJc = next / s.phasesPerColumnBlock * s.nc
                    let nextPc = next % s.phasesPerColumnBlock * s.kc
                    let tiles = (rows.count + Kernel.mr - 1) / Kernel.mr * panelRange.count
                    nextPanel = NextPanelPrefetch(p, p0: nextPc, kc: min(s.kc, p.k - nextPc), j0: nextJc,
                                                  nc: min(s.nc, p.n - nextJc), tiles: tiles)
                }
                if !panelRange.isEmpty {
                    for ic in stride(from: rows.lowerBound, to: rows.upperBound, by: s.mc) {
                        let mc = min(s.mc, rows.upperBound - ic)
                        for slice in slices {
                            let pc = slice * s.kc
                            let kc = min(s.kc, p.k - pc)
                            let beta = pc == 0 ? p.beta : 1
                            let tileEpilogue = pc + kc == p.k ? epilogue : .none
                            let (bPanel, bPanelStride) = bPanels(pc: pc, kc: kc)
                            // The first block of rows packs the micro-panels it uses as it goes:
                            // the chunk's, or only the phase's first chunk's (`packsBOnce`).
                            let bSource = s.packsBOnFirstUse && ic == rows.lowerBound && (c == 0 || !s.packsBOnce)
                                ? p.b + pc * p.ldb + jc : nil
                            // The block's A micro-panels, and how far apart (ic is a whole number of panels).
                            let aPanel: UnsafePointer<Float>, aPanelStride: Int
                            if let prepackedA {
                                aPanel = prepackedA.pointer + ic / Kernel.mr * prepackedA.panelStride + pc * Kernel.mr
                                aPanelStride = prepackedA.panelStride
                            } else if s.readsAInPlace {
                                // Full micro-panels are read where they lie; a last, short one is packed.
                                let fullRows = mc / Kernel.mr * Kernel.mr
                                if fullRows < mc {
                                    GemmPacking.packA(p, mr: Kernel.mr, i0: ic + fullRows, rows: mc - fullRows, p0: pc, kc: kc,
                                                      into: packedA + fullRows * kc)
                                }
                                aPanel = UnsafePointer(packedA)
                                aPanelStride = Kernel.mr * kc
                            } else {
                                GemmPacking.packA(p, mr: Kernel.mr, i0: ic, rows: mc, p0: pc, kc: kc, into: packedA)
                                aPanel = UnsafePointer(packedA)
                                aPanelStride = Kernel.mr * kc
                            }
                            let aSource = s.readsAInPlace ? p.a + ic * p.lda + pc : nil
                            let nextA = s.readsAInPlace
                                ? nextBlockOfA(p, s, chunk: c, rows: rows, ic: ic, slice: slice, slices: slices)
                                : nil
                            macroKernel(p, rows: ic..<(ic + mc), jc: jc, nc: nc, pc: pc, kc: kc, panels: panelRange,
                                        packedA: aPanel, aPanelStride: aPanelStride, aSource: aSource, packedB: bPanel,
                                        bPanelStride: bPanelStride, bSource: bSource, beta: beta, epilogue: tileEpilogue,
                                        tile: tile, nextPanel: &nextPanel, nextA: nextA,
                                        fetchesNextPackedPanel: prepackedB == nil)
                        }
                    }
                }
                // A maximum, not a store: at the first k slice of a column block this chunk may
                // finish before the same chunk of the previous block does.
                nnk_atomic_max(chunkPhasesDone + c, Int64(phase + 1))
                nnk_atomic_fetch_add(computeDone + phase, 1)
            }
        }
    }

    /// Where the block of A that this worker's tiles read next lies, for tiles reading A in place
    /// to fetch it as they go (`GemmMicrokernel.runUnpackedA`): the next k slice of the same rows,
    /// the first slice of the next rows of its chunk, or else (rows split) the first block of
    /// the chunk it is likely to claim next, `workers` chunks on. Nil when there is none.
    static func nextBlockOfA(_ p: GemmProblem, _ s: PackedGemmSchedule, chunk: Int, rows: Range<Int>, ic: Int,
                             slice: Int, slices: Range<Int>) -> NextBlockOfA? {
        var (nextIc, nextSlice) = slice + 1 < slices.upperBound ? (ic, slice + 1) : (ic + s.mc, slices.lowerBound)
        var lastRow = rows.upperBound
        if nextIc >= rows.upperBound {
            let nextChunk = chunk + s.workers
            guard s.split == .rows && nextChunk < s.computeChunks else { return nil }
            nextIc = nextChunk * s.computeChunkSize
            lastRow = min(p.m, nextIc + s.computeChunkSize)
        }
        return NextBlockOfA(distance: (nextIc - ic) * p.lda + (nextSlice - slice) * s.kc, rows: min(s.mc, lastRow - nextIc))
    }

    /// A tile's rows of A read where they lie: the first row (the rest `lda` apart), and how far
    /// past them the same rows of the block read next lie, for the tile to fetch (0: none).
    struct RowsInPlace {
        let first: UnsafePointer<Float>
        let nextBlockDistance: Int
    }

    /// The block of A read next: how many floats past the current block it starts, and its rows.
    struct NextBlockOfA: Equatable {
        let distance: Int
        let rows: Int
    }

    /// The two innermost loops: for each B micro-panel (kept in L1), every A micro-panel of the block.
    /// - Parameter bSource: when not nil, the micro-panels of B are not packed yet: the first
    ///   tile of each reads them here (op(B) at row pc, column jc) and packs them into `packedB`.
    @inline(__always)
    private static func macroKernel(_ p: GemmProblem, rows: Range<Int>, jc: Int, nc: Int, pc: Int, kc: Int,
                                    panels: Range<Int>, packedA: UnsafePointer<Float>, aPanelStride: Int,
                                    aSource: UnsafePointer<Float>?, packedB: UnsafePointer<Float>, bPanelStride: Int, bSource: UnsafePointer<Float>?,
                                    beta: Float, epilogue: GemmEpilogue, tile: UnsafeMutablePointer<Float>,
                                    nextPanel: inout NextPanelPrefetch?, nextA: NextBlockOfA?, fetchesNextPackedPanel: Bool) {
        let mr = Kernel.mr, nr = Kernel.nr
        // The next B micro-panel is fetched into L2 a share at each tile of this one. A
        // micro-panel not packed yet is fetched from its source instead, a share of its kc rows
        // at each tile; its packing tile asks for each row again 16 k steps before reading it
        // (`SIMDGemmMicrokernel.accumulate`), since rows a multiple of 4 KB apart share L2 sets
        // and not all of those fetched here stay. Weights packed before the call
        // (`fetchesNextPackedPanel` false) are left to the hardware prefetcher: the burst of
        // prefetches at each tile's start (a sixth of a 128 KB micro-panel at batch 64) stalled
        // the tiles when the weights came from beyond L3.
        // Fused dense at batch 64, one thread: 64 x 4096 x 1024 0.84x the time (74 -> 89% of
        // peak), 64 x 3072 x 768 0.95x, the 4 x 1024 MLP 0.87x (results/next-panel-prefetch-20261206).
        let panelLines = kc * nr * MemoryLayout<Float>.stride / 64
        let tiles = (rows.count + mr - 1) / mr
        let linesPerTile = (panelLines + tiles - 1) / max(1, tiles)
        let sourceRowsPerTile = (kc + tiles - 1) / max(1, tiles)
        let rowBytes = nr * MemoryLayout<Float>.stride
        // Reading A in place, the full tiles of two full micro-panels run as one tile over both
        // (`GemmMicrokernel.runUnpackedAPanelPair`); the second panel's pass then has only the
        // block's short tiles left.
        let pairsPanels = aSource != nil && bSource == nil && Kernel.pairsPanelsInPlace
        var pairedWithPrevious = false
        for jr in panels {
            let j = jc + jr * nr
            let liveColumns = min(nr, jc + nc - j)
            let skipsFullTiles = pairedWithPrevious
            // This panel and the next both full.
            let pairsWithNext = pairsPanels && !pairedWithPrevious && jr + 1 < panels.upperBound && jc + nc - j >= 2 * nr
            pairedWithPrevious = pairsWithNext
            let b = packedB + jr * bPanelStride
            let nextB = UnsafeRawPointer(packedB + (jr + 1) * bPanelStride)
            let hasNext = jr + 1 < panels.upperBound
            var nextLine = hasNext && fetchesNextPackedPanel ? 0 : panelLines
            var nextSourceRow = hasNext ? 0 : kc
            var tileEpilogue = TileEpilogue(bias: epilogue.bias.map { $0 + j }, activation: epilogue.activation)
            var a = packedA
            for i in stride(from: rows.lowerBound, to: rows.upperBound, by: mr) {
                if let bSource {
                    let nextSource = UnsafeRawPointer(bSource + (jr + 1) * nr)
                    let lastRow = min(kc, nextSourceRow + sourceRowsPerTile)
                    while nextSourceRow < lastRow {
                        let row = nextSource + nextSourceRow * p.ldb * MemoryLayout<Float>.stride
                        for offset in stride(from: 0, to: rowBytes, by: 64) { nnk_prefetch_to_l2(row + offset) }
                        nnk_prefetch_to_l2(row + rowBytes - 1)
                        nextSourceRow += 1
                    }
                } else {
                    let lastLine = min(panelLines, nextLine + linesPerTile)
                    while nextLine < lastLine {
                        nnk_prefetch_to_l2(nextB + nextLine * 64)
                        nextLine += 1
                    }
                }
                nextPanel?.advance()
                let liveRows = min(mr, rows.upperBound - i)
                if skipsFullTiles && liveRows == mr {
                    a += aPanelStride
                    continue
                }
                tileEpilogue.rowBias = epilogue.rowBias.map { $0 + i }
                let c = p.c + i * p.ldc + j
                // The next tile's rows of C into L2 while this tile runs (its own are fetched
                // into L1 at its start): with C beyond L2 (2048 cubed, 16 MB, revisited at
                // every k slice) the loads and stores of the tile's C were a sixth of its time;
                // with this, 2048 cubed took 0.88x the time on one thread (results/next-tile-c-prefetch-20261202).
                let nextRows = min(mr, rows.upperBound - i - mr)
                if nextRows > 0 {
                    let nextC = c + mr * p.ldc
                    for r in 0..<nextRows {
                        nnk_prefetch_to_l2(nextC + r * p.ldc)
                        nnk_prefetch_to_l2(nextC + r * p.ldc + liveColumns - 1)
                    }
                }
                // The block's last panel may hold fewer live rows than MR (64 rows are five
                // 12-row panels and 4 rows): a tile of just those rows, reading the panel's A
                // at its MR stride, spends no FMAs on the zero rows.
                let shortTile = runsShortTile(liveRows)
                // Full rows of A read where they lie (`PackedGemmSchedule.readsAInPlace`), and
                // how far the same rows of the next block lie: each tile of the first pass
                // fetches them (the passes after it would fetch lines already in L2), none past
                // that block's rows. A last k slice narrower than this one is fetched with a few
                // lines past its columns: a prefetch reads nothing and never faults.
                let aRows = liveRows == mr ? aSource.map { source in
                    let row = i - rows.lowerBound
                    let fetches = jr == panels.lowerBound && row + mr <= (nextA?.rows ?? 0)
                    return RowsInPlace(first: source + row * p.lda,
                                       nextBlockDistance: fetches ? nextA.unsafelyUnwrapped.distance : 0)
                } : nil
                // The first tile over a micro-panel not packed yet: a full one packs it as it
                // reads it; an edge micro-panel (zero-padded past n) or short tile packs it first.
                let packsHere = bSource != nil && i == rows.lowerBound
                if packsHere {
                    if liveColumns == nr && liveRows == mr {
                        packingTile(kc: kc, a: a, source: bSource.unsafelyUnwrapped + jr * nr, ldb: p.ldb,
                                    packInto: UnsafeMutablePointer(mutating: b), c: c, ldc: p.ldc, alpha: p.alpha,
                                    beta: beta, epilogue: tileEpilogue)
                        a += aPanelStride
                        continue
                    }
                    GemmPacking.packBPanel(p, nr: nr, p0: pc, kc: kc, j: j, into: UnsafeMutablePointer(mutating: b))
                }
                if pairsWithNext, let aRows {
                    unpackedAPairTile(kc: kc, a: aRows.first, lda: p.lda, b: b, panelStride: bPanelStride, c: c, ldc: p.ldc,
                                      alpha: p.alpha, beta: beta, epilogue: tileEpilogue,
                                      nextBlockDistance: aRows.nextBlockDistance)
                    a += aPanelStride
                    continue
                }
                if liveColumns == nr {
                    if let aRows {
                        unpackedATile(kc: kc, a: aRows.first, lda: p.lda, b: b, c: c, ldc: p.ldc, alpha: p.alpha, beta: beta,
                                      epilogue: tileEpilogue, nextBlockDistance: aRows.nextBlockDistance)
                    } else if liveRows == mr {
                        Kernel.run(kc: kc, a: a, b: b, c: c, ldc: p.ldc, alpha: p.alpha, beta: beta, epilogue: tileEpilogue)
                    } else if shortTile {
                        Kernel.runRows(liveRows, aStride: mr, kc: kc, a: a, b: b, c: c, ldc: p.ldc, alpha: p.alpha, beta: beta,
                                       epilogue: tileEpilogue)
                    } else {
                        edgeTile(p, kc: kc, a: a, aRows: aRows, b: b, c: c, liveRows: liveRows, liveColumns: liveColumns,
                                 beta: beta, epilogue: tileEpilogue, tile: tile)
                    }
                } else {
                    edgeTile(p, kc: kc, a: a, aRows: aRows, b: b, c: c, liveRows: liveRows, liveColumns: liveColumns,
                             beta: beta, epilogue: tileEpilogue, tile: tile)
                }
                a += aPanelStride
            }
        }
    }
}

extension PackedGemmDriver {
    /// `GemmMicrokernel.runPackingB`, out of line (once a micro-panel, not once a tile): the
    /// loop of `macroKernel` around the full tiles then holds one copy of the k loop, as it did
    /// before B was packed by its first tiles; that loop's code has been sensitive to what is
    /// inlined beside it (see `edgeTile`).
    @inline(never)
    static func packingTile(kc: Int, a: UnsafePointer<Float>, source: UnsafePointer<Float>, ldb: Int,
                            packInto: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
                            alpha: Float, beta: Float, epilogue: TileEpilogue) {
        Kernel.runPackingB(kc: kc, a: a, source: source, ldb: ldb, packInto: packInto, c: c, ldc: ldc, alpha: alpha,
                           beta: beta, epilogue: epilogue)
    }

    /// Whether a block's last micro-panel of `liveRows` rows (fewer than MR) runs a tile of just
    /// those rows (`GemmMicrokernel.runRows`) rather than the full tile over its zero rows.
    @inline(__always)
    static func runsShortTile(_ liveRows: Int) -> Bool {
        liveRows < Kernel.mr && liveRows <= Kernel.largestShortTile
    }

    /// A tile with fewer live rows or columns than MR x NR (the last micro-panel of B, or a
    /// block's last rows beyond the short tiles): the live part of C goes through the worker's
    /// scratch tile, so the same microkernel and epilogue run on it and nothing outside C is
    /// touched. Out of line: inlined into the macro-kernel as a local function, its k loop kept
    /// the 24 accumulators of the 12 x 32 tile on the stack, a store and a load each a k step,
    /// and the last micro-panel of 1032 cubed (8 live columns of 32) took 6.7% of the time for
    /// 0.8% of the FLOPs; out of line, 1032 cubed took 0.95x the time and 1024 cubed, which has
    /// no such tile, the same (results/edge-tiles-20261205). When the live columns fit in one
    /// vector, the tile is one vector wide (`GemmMicrokernel.runNarrow`, `runUnpackedANarrow`):
    /// the FMAs on the padding columns are not spent.
    @inline(never)
    private static func edgeTile(_ p: GemmProblem, kc: Int, a: UnsafePointer<Float>,
                                 aRows: RowsInPlace?, b: UnsafePointer<Float>,
                                 c: UnsafeMutablePointer<Float>, liveRows: Int, liveColumns: Int, beta: Float,
                                 epilogue: TileEpilogue, tile: UnsafeMutablePointer<Float>) {
        let mr = Kernel.mr, nr = Kernel.nr
        if beta != 0 {
            for r in 0..<liveRows { (tile + r * nr).update(from: c + r * p.ldc, count: liveColumns) }
        }
        if let aRows, liveColumns <= Kernel.narrowColumns {
            Kernel.runUnpackedANarrow(kc: kc, a: aRows.first, lda: p.lda, b: b, c: tile, ldc: nr, alpha: p.alpha, beta: beta,
                                      epilogue: epilogue, nextBlockDistance: aRows.nextBlockDistance)
        } else if let aRows {
            unpackedATile(kc: kc, a: aRows.first, lda: p.lda, b: b, c: tile, ldc: nr, alpha: p.alpha, beta: beta,
                          epilogue: epilogue, nextBlockDistance: aRows.nextBlockDistance)
        } else if runsShortTile(liveRows) {
            Kernel.runRows(liveRows, aStride: mr, kc: kc, a: a, b: b, c: tile, ldc: nr, alpha: p.alpha, beta: beta,
                           epilogue: epilogue)
        } else if liveColumns <= Kernel.narrowColumns {
            Kernel.runNarrow(kc: kc, a: a, b: b, c: tile, ldc: nr, alpha: p.alpha, beta: beta, epilogue: epilogue)
        } else {
            Kernel.run(kc: kc, a: a, b: b, c: tile, ldc: nr, alpha: p.alpha, beta: beta, epilogue: epilogue)
        }
        for r in 0..<liveRows { (c + r * p.ldc).update(from: tile + r * nr, count: liveColumns) }
    }

    /// `GemmMicrokernel.runUnpackedAPanelPair`, out of line as `unpackedATile` is.
    @inline(never)
    static func unpackedAPairTile(kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, panelStride: Int,
                                  c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float, epilogue: TileEpilogue,
                                  nextBlockDistance: Int) {
        Kernel.runUnpackedAPanelPair(kc: kc, a: a, lda: lda, b: b, panelStride: panelStride, c: c, ldc: ldc, alpha: alpha,
                                     beta: beta, epilogue: epilogue, nextBlockDistance: nextBlockDistance)
    }

    /// `GemmMicrokernel.runUnpackedA`, out of line for the same reason as `packingTile`: the
    /// loop around the packed tiles keeps the one copy of the k loop it was tuned with.
    @inline(never)
    static func unpackedATile(kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
                              c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float, epilogue: TileEpilogue,
                              nextBlockDistance: Int) {
        Kernel.runUnpackedA(kc: kc, a: a, lda: lda, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue,
                            nextBlockDistance: nextBlockDistance)
    }
}

/// op(B) packed once into full-depth micro-panels: panel t holds columns t * NR ..< (t + 1) * NR
/// of all k rows, row by row (`pointer[t * panelStride + q * NR + j]`), zero past n. The
/// k slice [pc, pc + kc) of a panel is then the contiguous kc x NR micro-panel the microkernel reads.
/// op(A) the same way with MR rows a panel, k-major (`pointer[t * panelStride + q * MR + i]`),
/// zero past m.
struct PrepackedPanels: @unchecked Sendable {
    let pointer: UnsafePointer<Float>
    let k: Int
    /// NR for B, MR for A.
    let width: Int
    var panelStride: Int { k * width }
}
