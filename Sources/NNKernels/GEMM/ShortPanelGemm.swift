/// GEMM with prepacked B (`DenseWeights`) for fewer rows than one micro-panel: a dense layer
/// at batch 1 to MR - 1. A (a few rows) is packed k-major into a tile of exactly that many rows,
/// and each full-depth B panel streams through it once, in order: the problem is bound by
/// reading the weights, so no FMA is spent on padding rows and no k slice revisits C.
/// Workers split the panels. The epilogue is the microkernel's.
enum ShortPanelGemm<Kernel: GemmMicrokernel> {
    static func run(_ p: GemmProblem, panels: PrepackedPanels, threads: Int, minimumFlopsPerExtraWorker: Double,
                    epilogue: GemmEpilogue) {
        TileLayoutWarmUp.ensure()
        let nr = Kernel.nr
        // Rows as the tile sees them: exactly m, or MR when m is above the largest short tile.
        let rows = p.m <= Kernel.largestShortTile ? p.m : Kernel.mr
        let panelCount = (p.n + nr - 1) / nr
        var scratch = CallScratch()
        let packedAOffset = scratch.reserve(Float.self, count: rows * p.k)
        scratch.take()
        defer { scratch.giveBack() }
        // Rows past m (a tile of MR rows) must be zero.
        let packedA = scratch.region(Float.self, at: packedAOffset, count: rows * p.k)
        packedA.initialize(repeating: 0, count: rows * p.k)
        for i in 0..<p.m {
            for q in 0..<p.k { packedA[q * rows + i] = p.aElement(i, q) }
        }
        // Bound by the weights arriving, as `RowStreamGemm` is: B's bytes count as FLOPs. With
        // FLOPs alone, an MLP's first layer at batch 1 (1 x 256 x 784, 0.4 MFLOP, 0.8 MB of
        // weights) stayed on one worker, and the fused MLP took 1.5 times the unfused one's time
        // on two threads (results/dense-activation-20261206T001928Z.csv).
        let work = max(p.flops, Double(p.k) * Double(p.n) * Double(MemoryLayout<Float>.stride))
        let workers = min(panelCount, Tuning.workers(requested: threads, flops: work,
                                                     minimumFlopsPerExtraWorker: minimumFlopsPerExtraWorker))
        let a = UnsafePointer<Float>(packedA)
        ParallelRegion.run(workers: workers) { worker in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: Kernel.mr * nr) { scratch in
                let tile = scratch.baseAddress!
                for t in ParallelRegion.share(of: panelCount, worker: worker, workers: workers) {
                    let j = t * nr
                    let live = min(nr, p.n - j)
                    let b = panels.pointer + t * panels.panelStride
                    let tileEpilogue = TileEpilogue(bias: epilogue.bias.map { $0 + j }, activation: epilogue.activation)
                    if live == nr && rows == p.m && p.beta == 0 {
                        Kernel.runRows(rows, aStride: rows, kc: p.k, a: a, b: b, c: p.c + j, ldc: p.ldc, alpha: p.alpha, beta: 0,
                                       epilogue: tileEpilogue)
                    } else {
                        if p.beta != 0 {
                            for r in 0..<p.m { (tile + r * nr).update(from: p.c + r * p.ldc + j, count: live) }
                        }
                        Kernel.runRows(rows, aStride: rows, kc: p.k, a: a, b: b, c: tile, ldc: nr, alpha: p.alpha, beta: p.beta,
                                       epilogue: tileEpilogue)
                        for r in 0..<p.m { (p.c + r * p.ldc + j).update(from: tile + r * nr, count: live) }
                    }
                }
            }
        }
    }
}
