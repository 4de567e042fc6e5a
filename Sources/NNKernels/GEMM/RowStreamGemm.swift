/// GEMM for fewer rows than one micro-panel (a dense layer at batch 1 to MR - 1) with op(B)
/// not transposed. Every element of B is used by fewer than MR rows, so packing it would cost
/// more than the arithmetic it serves. Instead the microkernel's register tile, with exactly m
/// rows, reads B where it lies (`bStride` = ldb), `depthBlock` rows of it at a time: each
/// element of B is loaded once, and C once a block. Fewer rows leave registers for more
/// columns, so the tile is wider than the packed one. A (m x k, a few KB) is packed k-major,
/// unless it is one row not transposed, which already is. One row whose B arrives in short
/// rows (`readsShortRows`) goes through `OneRowStream` instead.
/// The problem is bound by how fast B arrives, so the bench also reports it in GB/s. Threads
/// split the columns.
enum RowStreamGemm {
    /// The most rows a row-stream tile has: the largest MR - 1 (the 12-row AVX-512 tile).
    static let largestRows = 11

    /// Rows of B a tile reads before it adds its sums to C. One pass down the whole depth ran
    /// 1 x 1024 x 4096 in 1.4 times the former four-row loop's time: every tile walked 4096
    /// rows of 4 KB, a page each. On AVX-512 (Zen 4) blocks of 32 to 256 rows timed alike
    /// within the noise on shapes of 1 to 8 rows, 64 best or near it on most
    /// (`results/row-stream-20261202/depth-blocks/`). Where B arrives in short rows (below),
    /// blocks of 64 ran 1.5 to 1.7 times as long as blocks of 8 on the AVX2 host (Zen 3; 2 to 5
    /// rows, one thread); where it does not, blocks of 8 lost to 64 (3 x 100 x 300: 1.4 times the
    /// time; 4 x 256 x 784 on two workers: 1.3 times) to the tile's per-block work
    /// (`results/row-stream-20261203/`). Blocks of 4 and 16 were slower than 8.
    static func depthBlock(shortRows: Bool) -> Int {
        shortRows ? 8 : 64
    }

    /// Whether B arrives as rows too short for the prefetchers: every B row of a depth block is
    /// a stream of its own, and with 8-lane vectors (16 registers) a tile is half as wide as on
    /// AVX-512 or less, 256 bytes of a row or fewer. That matters only when a worker's slice of
    /// B (k rows of `columns`) is larger than its L2 and so streams in from further out at
    /// every call; a slice in L2 is read from there.
    static func readsShortRows(k: Int, columns: Int, vectorWidth: Int) -> Bool {
        vectorWidth < 16 && k * columns * MemoryLayout<Float>.stride > Topology.current.l2.sizeBytes
    }

    static func applies(_ p: GemmProblem, mr: Int) -> Bool {
        p.m < mr && p.m <= largestRows && p.transB == .none
    }

    /// On the vector type of `kernel`, for fewer rows than its MR.
    static func run<let MR: Int, let NV: Int, Vector: SIMD>(_ p: GemmProblem, kernel: SIMDGemmMicrokernel<MR, NV, Vector>.Type,
                                                          threads: Int, minimumFlopsPerExtraWorker: Double,
                                                          epilogue: GemmEpilogue) where Vector.Scalar == Float {
        TileLayoutWarmUp.ensure()
        let width = Vector.scalarCount
        // The time is set by B arriving, at about a byte a FLOP at peak (one core read 100 GB/s
        // from L2 and peaks at 115 GFLOPS here) whenever m is small, so B's bytes count as FLOPs.
        let work = max(p.flops, Double(p.k) * Double(p.n) * Double(MemoryLayout<Float>.stride))
        let workers = min(Tuning.workers(requested: threads, flops: work, minimumFlopsPerExtraWorker: minimumFlopsPerExtraWorker),
                          max(1, (p.n + width - 1) / width))
        // One row of A not transposed is already k-major; any other A is packed.
        let inPlace = p.m == 1 && p.transA == .none
        let packedCount = inPlace ? 0 : p.m * p.k
        var scratch = CallScratch()
        let packedAOffset = scratch.reserve(Float.self, count: packedCount)
        scratch.take()
        defer { scratch.giveBack() }
        let packedA = scratch.region(Float.self, at: packedAOffset, count: packedCount)
        if !inPlace {
            for i in 0..<p.m {
                for q in 0..<p.k { packedA[q * p.m + i] = p.aElement(i, q) }
            }
        }
        let a = inPlace ? p.a : UnsafePointer(packedA)
        // Column ranges in whole vectors, so only the last range ends in a partial vector.
        let chunk = ((p.n + workers - 1) / workers + width - 1) / width * width
        let shortRows = readsShortRows(k: p.k, columns: chunk, vectorWidth: width)
        ParallelRegion.run(workers: workers) { worker in
            let start = min(p.n, worker * chunk)
            let range = start..<min(p.n, start + chunk)
            if range.isEmpty { return }
            columns(p, a: a, range, shortRows: shortRows, kernel: kernel)
            // The epilogue runs over this worker's slice while it is in cache: the tiles store
            // through the plain path, which keeps one copy of them per row count.
            epilogue.apply(rows: p.m, columns: range, c: p.c, ldc: p.ldc)
        }
    }

    /// C[:, columns] = alpha * op(A) * B[:, columns] + beta * C[:, columns], with `a` holding
    /// op(A) k-major (m floats per k).
    /// `p.m` is below the MR of `kernel`, whose vector type the tiles take.
    static func columns<let MR: Int, let NV: Int, Vector: SIMD>(_ p: GemmProblem, a: UnsafePointer<Float>, _ columns: Range<Int>,
                                                              shortRows: Bool, kernel: SIMDGemmMicrokernel<MR, NV, Vector>.Type)
    where Vector.Scalar == Float {
        // Vectors a tile row, so that rows x vectors accumulators, one row of B and the
        // broadcast fit the register file: 32 registers with AVX-512, 16 without (one row's
        // loads fold into its FMAs). At least eight accumulators, or `accumulate` keeps four
        // sets of them to cover the FMA latency. One row by sixteen AVX-512 vectors ran 2.7 to 4.9
        // times as long as by eight (`results/row-stream-20261202/one-row-256/`).
        let wide = Vector.scalarCount >= 16
        if p.m == 1 && shortRows {
            OneRowStream.run(p, a: a, columns, vector: Vector.self)
            return
        }
        let block = depthBlock(shortRows: shortRows)
        @inline(__always) func tiles<let R: Int, let Vectors: Int>(_: RowStreamTiles<R, Vectors, Vector>.Type) {
            RowStreamTiles<R, Vectors, Vector>.run(p, a: a, columns, depthBlock: block)
        }
        // Each case's guard folds to a constant in every specialization, before the optimizer
        // specializes the calls: a kernel's copy builds only the tiles it can run (1 to MR - 1
        // rows), where a copy for the vector type built all eleven.
        switch p.m {
        case 1: tiles(RowStreamTiles<1, 8, Vector>.self)
        case 2 where 2 < MR: wide ? tiles(RowStreamTiles<2, 8, Vector>.self) : tiles(RowStreamTiles<2, 4, Vector>.self)
        case 3 where 3 < MR: wide ? tiles(RowStreamTiles<3, 4, Vector>.self) : tiles(RowStreamTiles<3, 3, Vector>.self)
        case 4 where 4 < MR: wide ? tiles(RowStreamTiles<4, 4, Vector>.self) : tiles(RowStreamTiles<4, 2, Vector>.self)
        case 5 where 5 < MR: wide ? tiles(RowStreamTiles<5, 4, Vector>.self) : tiles(RowStreamTiles<5, 2, Vector>.self)
        case 6 where 6 < MR: wide ? tiles(RowStreamTiles<6, 4, Vector>.self) : tiles(RowStreamTiles<6, 2, Vector>.self)
        case 7 where 7 < MR: wide ? tiles(RowStreamTiles<7, 3, Vector>.self) : tiles(RowStreamTiles<7, 2, Vector>.self)
        case 8 where 8 < MR: wide ? tiles(RowStreamTiles<8, 3, Vector>.self) : tiles(RowStreamTiles<8, 2, Vector>.self)
        case 9 where 9 < MR: tiles(RowStreamTiles<9, 2, Vector>.self)
        case 10 where 10 < MR: tiles(RowStreamTiles<10, 2, Vector>.self)
        case 11 where 11 < MR: tiles(RowStreamTiles<11, 2, Vector>.self)
        default: preconditionFailure("RowStreamGemm on a \(MR)-row kernel has tiles of 1 to \(min(MR - 1, largestRows)) rows, got \(p.m); applies() excludes more")
        }
    }
}

/// The row-stream tiles of R rows over a range of columns, a depth block at a time: tiles NV
/// vectors wide, then one-vector tiles, then one vector over the columns that fill no vector.
enum RowStreamTiles<let R: Int, let NV: Int, Vector: SIMD> where Vector.Scalar == Float {
    typealias Wide = SIMDGemmMicrokernel<R, NV, Vector>
    typealias Narrow = SIMDGemmMicrokernel<R, 1, Vector>

    static func run(_ p: GemmProblem, a: UnsafePointer<Float>, _ columns: Range<Int>, depthBlock: Int) {
        let width = Vector.scalarCount
        let vectorEnd = columns.lowerBound + (columns.count / width) * width
        let tail = columns.upperBound - vectorEnd
        // The last columns that fill no vector: the vector that ends at the last column, read in
        // place (its first lanes repeat columns already done), summed in a scratch tile over every
        // depth block, whose tail lanes alone go to C at the end. When B has fewer columns than
        // one vector, a depth block of them is copied beside zeros instead.
        let inPlace = p.n >= width
        let scratchCount = tail == 0 ? 0 : R * width + (inPlace ? 0 : depthBlock * width)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: scratchCount) { scratch in
            // An empty allocation may still have an address: only a tail uses the scratch.
            let tile = tail > 0 ? scratch.baseAddress : nil
            tile?.update(repeating: 0, count: scratchCount)
            let paddedB = inPlace ? nil : tile.map { $0 + R * width }
            let tailStart = inPlace ? columns.upperBound - width : vectorEnd
            let lead = vectorEnd - tailStart
            var q = 0
            while q < p.k {
                let depth = min(depthBlock, p.k - q)
                // Later depth blocks add to what the first one stored.
                let beta = q == 0 ? p.beta : 1
                let aBlock = a + q * R, bBlock = p.b + q * p.ldb
                var j = columns.lowerBound
                while j + NV * width <= columns.upperBound {
                    let acc = Wide.accumulate(kc: depth, a: aBlock, aStride: R, b: bBlock + j, bStride: p.ldb)
                    Wide.store(acc, c: p.c + j, ldc: p.ldc, alpha: p.alpha, beta: beta, epilogue: .none) { $0 }
                    j += NV * width
                }
                while j < vectorEnd {
                    let acc = Narrow.accumulate(kc: depth, a: aBlock, aStride: R, b: bBlock + j, bStride: p.ldb)
                    Narrow.store(acc, c: p.c + j, ldc: p.ldc, alpha: p.alpha, beta: beta, epilogue: .none) { $0 }
                    j += width
                }
                if let tile {
                    let acc: Narrow.Accumulators
                    if let paddedB {
                        // Column by column, so that no row becomes a call to memcpy.
                        for t in 0..<tail {
                            for d in 0..<depth { paddedB[d * width + t] = bBlock[d * p.ldb + vectorEnd + t] }
                        }
                        acc = Narrow.accumulate(kc: depth, a: aBlock, aStride: R, b: paddedB, bStride: width)
                    } else {
                        acc = Narrow.accumulate(kc: depth, a: aBlock, aStride: R, b: bBlock + tailStart, bStride: p.ldb)
                    }
                    if q == 0 && beta != 0 {
                        for r in 0..<R {
                            for t in 0..<tail { tile[r * width + lead + t] = p.c[r * p.ldc + vectorEnd + t] }
                        }
                    }
                    Narrow.store(acc, c: tile, ldc: width, alpha: p.alpha, beta: beta, epilogue: .none) { $0 }
                }
                q += depth
            }
            if let tile {
                for r in 0..<R {
                    for t in 0..<tail { p.c[r * p.ldc + vectorEnd + t] = tile[r * width + lead + t] }
                }
            }
        }
    }
}
