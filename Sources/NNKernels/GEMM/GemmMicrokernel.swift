import _KernelShims

/// An MR x NR register-blocked GEMM microkernel (BLIS's contract):
/// `C[0..<MR, 0..<NR] = alpha * Apanel * Bpanel + beta * C`, where `a` is an MR x kc micro-panel
/// stored column by column (MR floats per k) and `b` a kc x NR micro-panel stored row by row
/// (NR floats per k). No loops over m or n remain; when `beta == 0`, C is never read.
/// The epilogue (bias, activation) is applied to the tile in registers before it is stored.
public protocol GemmMicrokernel: SendableMetatype {
    static var mr: Int { get }
    static var nr: Int { get }
    static func run(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                    c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                    epilogue: TileEpilogue)
    /// The same tile with only `rows` (fewer than MR) rows, their A values `aStride` floats
    /// apart per k (`rows` for a panel packed that narrow, MR for the last, short panel of a
    /// packed block). For batches below MR and for a block's last rows, where the full tile
    /// would spend its FMAs on padding.
    static func runRows(_ rows: Int, aStride: Int, kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                        c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                        epilogue: TileEpilogue)
    /// The most rows `runRows` computes with a tile of exactly that many rows (more are padded to MR).
    static var largestShortTile: Int { get }
    /// Columns of the tile `runNarrow` computes: one vector.
    static var narrowColumns: Int { get }
    /// `run` for the first `narrowColumns` columns only, reading the same kc x NR micro-panel of
    /// B: for the last micro-panel of B when its live columns fit in one vector (n = 1032
    /// leaves 8 of the 12 x 32 tile's 32), where the full tile would spend its FMAs on padding.
    static func runNarrow(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                          c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                          epilogue: TileEpilogue)
    /// `run` for the first tile over a micro-panel of B not packed yet: reads the kc x NR block
    /// of B where it lies, its rows `ldb` floats apart, and writes it packed (NR floats a k
    /// step) to `packInto` as it goes, for the tiles after it to read.
    static func runPackingB(kc: Int, a: UnsafePointer<Float>, source: UnsafePointer<Float>, ldb: Int,
                            packInto: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
                            alpha: Float, beta: Float, epilogue: TileEpilogue)
    /// `run` with A read where it lies: MR rows `lda` floats apart, each kc floats from `a`,
    /// instead of a packed micro-panel. For a tall A against few columns of B, which each row of
    /// A meets a few times only (`PackedGemmSchedule.readsAInPlace`).
    /// - Parameter nextBlockDistance: when not 0, the tile also fetches into L2, one cache line
    ///   of each row every 16 k steps, the lines this many floats past those it reads: the same
    ///   rows of the block of A read next, which then arrives from memory while the FMAs run.
    static func runUnpackedA(kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
                             c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                             epilogue: TileEpilogue, nextBlockDistance: Int)
    /// Whether `runUnpackedAPanelPair` computes two micro-panels of B in one pass over A.
    static var pairsPanelsInPlace: Bool { get }
    /// `runUnpackedA` over two adjacent micro-panels of B (2 NR columns of C), the second
    /// `panelStride` floats past the first, when `pairsPanelsInPlace`.
    static func runUnpackedAPanelPair(kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, panelStride: Int,
                                      c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                                      epilogue: TileEpilogue, nextBlockDistance: Int)
    /// `runUnpackedA` for the first `narrowColumns` columns only, as `runNarrow` is to `run`.
    static func runUnpackedANarrow(kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
                                   c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                                   epilogue: TileEpilogue, nextBlockDistance: Int)
}

/// The one microkernel body, parameterized by rows (MR), vectors per row (NV) and vector type:
/// NR = NV * Vector.scalarCount. The accumulators are an `InlineArray` that the compiler keeps
/// entirely in registers once the loops over MR and NV are unrolled, so each k step is NV loads
/// of B, MR broadcasts of A and MR * NV fused multiply-adds.
public enum SIMDGemmMicrokernel<let MR: Int, let NV: Int, Vector: SIMD>: GemmMicrokernel
where Vector.Scalar == Float {
    public typealias Accumulators = InlineArray<MR, InlineArray<NV, Vector>>

    public static var mr: Int { MR }
    public static var nr: Int { NV * Vector.scalarCount }

    /// One tile's sums over kc k steps: the rows' A values `aStride` (at least MR) floats apart
    /// per k, the rows of B `bStride` floats apart (NR when packed; `RowStreamGemm` reads B
    /// where it lies, a leading dimension apart).
    @inline(__always)
    static func accumulate(kc: Int, a: UnsafePointer<Float>, aStride: Int, b: UnsafePointer<Float>, bStride: Int) -> Accumulators {
        accumulate(kc: kc, a: a, aStride: aStride, b: b, bStride: bStride, packInto: nil)
    }

    /// `accumulate` that also stores each k step's NV vectors of B, packed NR floats apart, to
    /// `packInto` when it is not nil (`runPackingB`). Callers pass the strides and nil as
    /// constants, not as default arguments: the row stream's out-of-line copies then fold them away.
    @inline(__always)
    static func accumulate(kc: Int, a: UnsafePointer<Float>, aStride: Int, b: UnsafePointer<Float>,
                           bStride: Int, packInto: UnsafeMutablePointer<Float>?) -> Accumulators {
        if MR * NV < 8 && packInto == nil {
            return accumulateInSets(kc: kc, a: a, aStride: aStride, b: b, bStride: bStride)
        }
        // Built element by element: `InlineArray(repeating:)` of the 12 x 2 AVX-512 tile stayed a
        // call that wrote the tile to the stack, for the k loop to load back, at every tile
        // (1024-cubed GEMM 0.96x the time without it, in alternating runs).
        var acc = Accumulators { _ in InlineArray { _ in .zero } }
        let vectorBytes = Vector.scalarCount * MemoryLayout<Float>.stride
        var pa = a
        var pb = UnsafeRawPointer(b)
        var packed = packInto.map { UnsafeMutableRawPointer($0) }
        let packedRowBytes = NV * vectorBytes
        // One k step: NV loads of B, then for each row a broadcast of A and NV FMAs.
        let rowBytes = bStride * MemoryLayout<Float>.stride
        // A tile that packs B asks for the source row 16 k steps ahead into L2. Rows a multiple
        // of 4 KB apart (ldb 1024 or 3072) share a few of L2's sets (32 of 2048 on a 1 MiB 8-way
        // L2), so the rows the driver fetched into L2 during the tiles before this one do not all
        // stay there, and the tile stalled on them (43% of its samples at 64 x 3072 x 768).
        // Into L1 instead, 8 steps ahead, the rows evict each other
        // from their one L1 set (results/not-kept-20261206/source-prefetch). One prefetch a
        // vector, in the form of the loads: a loop over the row's lines put the accumulators on
        // the stack.
        let sourceAheadBytes = 16 * rowBytes
        @inline(__always) func step(_ q: Int) {
            var bv = InlineArray<NV, Vector>(repeating: .zero)
            for j in 0..<NV { bv[j] = pb.loadUnaligned(fromByteOffset: q * rowBytes + j * vectorBytes, as: Vector.self) }
            if let packed {
                for j in 0..<NV { packed.storeBytes(of: bv[j], toByteOffset: q * packedRowBytes + j * vectorBytes, as: Vector.self) }
                let ahead = pb + sourceAheadBytes + q * rowBytes
                for j in 0..<NV { nnk_prefetch_to_l2(ahead + j * vectorBytes) }
            }
            for r in 0..<MR {
                let av = Vector(repeating: pa[q * aStride + r])
                for j in 0..<NV { acc[r][j].addProduct(av, bv[j]) }
            }
        }
        // Four k steps per iteration: the loop counter and pointer updates are paid once per
        // four steps, and the loads of the next step can issue while this step's FMAs wait.
        var remaining = kc
        while remaining >= 4 {
            step(0); step(1); step(2); step(3)
            pa += 4 * aStride
            pb += 4 * rowBytes
            packed = packed.map { $0 + 4 * packedRowBytes }
            remaining -= 4
        }
        while remaining > 0 {
            step(0)
            pa += aStride
            pb += rowBytes
            packed = packed.map { $0 + packedRowBytes }
            remaining -= 1
        }
        return acc
    }

    /// `accumulate` for tiles of fewer than eight accumulators (rows times vectors a row: one
    /// to three rows of the two-vector tiles, one or two of the three-vector one): each accumulator is a chain of dependent FMAs, one link a k step, and with
    /// so few chains the FMA latency, not the pipes, sets the pace. Four sets of accumulators
    /// take every fourth k step each and are added at the end. A loop of its own, beside
    /// `accumulate`'s: one loop with the number of sets as a parameter kept the four sets in the
    /// 12-row tile too, and 512 and 1024 cubed took 1.03x the time.
    @inline(__always)
    private static func accumulateInSets(kc: Int, a: UnsafePointer<Float>, aStride: Int,
                                         b: UnsafePointer<Float>, bStride: Int) -> Accumulators {
        var acc = InlineArray<4, Accumulators> { _ in Accumulators { _ in InlineArray { _ in .zero } } }
        let vectorBytes = Vector.scalarCount * MemoryLayout<Float>.stride
        let rowBytes = bStride * MemoryLayout<Float>.stride
        var pa = a
        var pb = UnsafeRawPointer(b)
        @inline(__always) func step(_ q: Int, into set: Int) {
            var bv = InlineArray<NV, Vector>(repeating: .zero)
            for j in 0..<NV { bv[j] = pb.loadUnaligned(fromByteOffset: q * rowBytes + j * vectorBytes, as: Vector.self) }
            for r in 0..<MR {
                let av = Vector(repeating: pa[q * aStride + r])
                for j in 0..<NV { acc[set][r][j].addProduct(av, bv[j]) }
            }
        }
        var remaining = kc
        while remaining >= 4 {
            step(0, into: 0); step(1, into: 1); step(2, into: 2); step(3, into: 3)
            pa += 4 * aStride
            pb += 4 * rowBytes
            remaining -= 4
        }
        while remaining > 0 {
            step(0, into: 0)
            pa += aStride
            pb += rowBytes
            remaining -= 1
        }
        for set in 1..<4 {
            for r in 0..<MR {
                for j in 0..<NV { acc[0][r][j] += acc[set][r][j] }
            }
        }
        return acc[0]
    }

    @inline(__always)
    public static func run(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                           c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                           epilogue: TileEpilogue) {
        run(kc: kc, a: a, aStride: MR, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue)
    }

    /// `run` with the rows' A values `aStride` floats apart per k.
    @inline(__always)
    static func run(kc: Int, a: UnsafePointer<Float>, aStride: Int, b: UnsafePointer<Float>,
                    c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                    epilogue: TileEpilogue) {
        run(kc: kc, a: a, aStride: aStride, b: b, bStride: NV * Vector.scalarCount, packInto: nil, c: c,
            ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue)
    }

    /// The one tile body behind `run` and `runPackingB`: A's values `aStride` floats apart per k,
    /// B's rows `bStride` apart, and copied packed to `packInto` when it is not nil.
    @inline(__always)
    private static func run(kc: Int, a: UnsafePointer<Float>, aStride: Int, b: UnsafePointer<Float>,
                            bStride: Int, packInto: UnsafeMutablePointer<Float>?, c: UnsafeMutablePointer<Float>,
                            ldc: Int, alpha: Float, beta: Float, epilogue: TileEpilogue) {
        prefetchTileOfC(c, ldc: ldc)
        let acc = accumulate(kc: kc, a: a, aStride: aStride, b: b, bStride: bStride, packInto: packInto)
        finish(acc, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue)
    }

    /// C rows sit a leading dimension apart and are usually cold: fetch the tile's during the k loop.
    @inline(__always)
    static func prefetchTileOfC(_ c: UnsafeMutablePointer<Float>, ldc: Int) {
        for r in 0..<MR {
            nnk_prefetch_for_write(c + r * ldc)
            nnk_prefetch_for_write(c + r * ldc + nr - 1)
        }
    }

    @inline(__always)
    public static func runPackingB(kc: Int, a: UnsafePointer<Float>, source: UnsafePointer<Float>, ldb: Int,
                                   packInto: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
                                   alpha: Float, beta: Float, epilogue: TileEpilogue) {
        run(kc: kc, a: a, aStride: MR, b: source, bStride: ldb, packInto: packInto, c: c, ldc: ldc,
            alpha: alpha, beta: beta, epilogue: epilogue)
    }

    @inline(__always)
    public static func runUnpackedA(kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
                                    c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                                    epilogue: TileEpilogue, nextBlockDistance: Int) {
        runUnpackedA(kc: kc, a: a, lda: lda, b: b, bStride: nr, c: c, ldc: ldc, alpha: alpha, beta: beta,
                     epilogue: epilogue, nextBlockDistance: nextBlockDistance)
    }

    public static func runUnpackedANarrow(kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
                                          c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                                          epilogue: TileEpilogue, nextBlockDistance: Int) {
        SIMDGemmMicrokernel<MR, 1, Vector>.runUnpackedA(kc: kc, a: a, lda: lda, b: b, bStride: nr, c: c, ldc: ldc,
                                                        alpha: alpha, beta: beta, epilogue: epilogue,
                                                        nextBlockDistance: nextBlockDistance)
    }

    /// Half the rows and twice the vectors a row: as many accumulators as this tile, over two
    /// micro-panels of B. Reading A in place, a tile of more than `largestRowsReadInPlace` rows
    /// runs in parts that each stream the whole micro-panel of B; over a pair of micro-panels the
    /// parts together read each micro-panel once and each row of A once, in half as many tiles.
    /// Alternating rounds on the AVX-512 host: res2b_branch2a at batch 8 0.99 / 0.92 and 0.99 /
    /// 0.98x the time on one / two threads, 25088 x 64 x 256 0.98 and 0.96x on one
    /// (results/in-place-panel-pair-20261206). Only for a tile of twice 6 rows and half 4
    /// vectors: other tiles would need another register budget.
    typealias InPlacePair = SIMDGemmMicrokernel<6, 4, Vector>

    public static var pairsPanelsInPlace: Bool { InPlacePair.mr * 2 == MR && InPlacePair.nr == 2 * nr }

    @inline(__always)
    public static func runUnpackedAPanelPair(kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
                                             panelStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float,
                                             beta: Float, epilogue: TileEpilogue, nextBlockDistance: Int) {
        let half = InPlacePair.mr
        for part in 0..<2 {
            InPlacePair.runWithRowPointers(kc: kc, a: a + part * half * lda, lda: lda, b: b, bStride: nr,
                                           secondPanel: panelStride, c: c + part * half * ldc, ldc: ldc, alpha: alpha,
                                           beta: beta, epilogue: epilogue.rows(from: part * half),
                                           nextBlockDistance: nextBlockDistance)
        }
    }

    /// `runUnpackedA` over a micro-panel of B whose k steps lie `bStride` floats apart (NR, or
    /// a wider tile's NR for the narrow tile).
    @inline(__always)
    static func runUnpackedA(kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, bStride: Int,
                             c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                             epilogue: TileEpilogue, nextBlockDistance: Int) {
        // Past `largestRowsReadInPlace` rows LLVM leaves the row loop rolled and the accumulators
        // in memory (the 12-row AVX-512 tile: 64 and 128 cubed at 0.26 and 0.32x OpenBLAS), so
        // a taller tile runs as tiles of that many rows and one of the rest, over the same B.
        // The rest's tile type is picked by a switch, as in `runRows`: a generic value parameter
        // takes no arithmetic (`MR - done`).
        if MR > largestRowsReadInPlace {
            let head = InPlaceHead.mr
            var done = 0
            while MR - done > head {
                InPlaceHead.runWithRowPointers(kc: kc, a: a + done * lda, lda: lda, b: b, bStride: bStride,
                                               c: c + done * ldc, ldc: ldc, alpha: alpha, beta: beta,
                                               epilogue: epilogue.rows(from: done),
                                               nextBlockDistance: nextBlockDistance)
                done += head
            }
            let aRest = a + done * lda, cRest = c + done * ldc, rest = epilogue.rows(from: done)
            switch MR - done {
            case 1: SIMDGemmMicrokernel<1, NV, Vector>.runWithRowPointers(kc: kc, a: aRest, lda: lda, b: b, bStride: bStride, c: cRest, ldc: ldc, alpha: alpha, beta: beta, epilogue: rest, nextBlockDistance: nextBlockDistance)
            case 2: SIMDGemmMicrokernel<2, NV, Vector>.runWithRowPointers(kc: kc, a: aRest, lda: lda, b: b, bStride: bStride, c: cRest, ldc: ldc, alpha: alpha, beta: beta, epilogue: rest, nextBlockDistance: nextBlockDistance)
            case 3: SIMDGemmMicrokernel<3, NV, Vector>.runWithRowPointers(kc: kc, a: aRest, lda: lda, b: b, bStride: bStride, c: cRest, ldc: ldc, alpha: alpha, beta: beta, epilogue: rest, nextBlockDistance: nextBlockDistance)
            case 4: SIMDGemmMicrokernel<4, NV, Vector>.runWithRowPointers(kc: kc, a: aRest, lda: lda, b: b, bStride: bStride, c: cRest, ldc: ldc, alpha: alpha, beta: beta, epilogue: rest, nextBlockDistance: nextBlockDistance)
            case 5: SIMDGemmMicrokernel<5, NV, Vector>.runWithRowPointers(kc: kc, a: aRest, lda: lda, b: b, bStride: bStride, c: cRest, ldc: ldc, alpha: alpha, beta: beta, epilogue: rest, nextBlockDistance: nextBlockDistance)
            case 6: SIMDGemmMicrokernel<6, NV, Vector>.runWithRowPointers(kc: kc, a: aRest, lda: lda, b: b, bStride: bStride, c: cRest, ldc: ldc, alpha: alpha, beta: beta, epilogue: rest, nextBlockDistance: nextBlockDistance)
            case 7: SIMDGemmMicrokernel<7, NV, Vector>.runWithRowPointers(kc: kc, a: aRest, lda: lda, b: b, bStride: bStride, c: cRest, ldc: ldc, alpha: alpha, beta: beta, epilogue: rest, nextBlockDistance: nextBlockDistance)
            default: InPlaceHead.runWithRowPointers(kc: kc, a: aRest, lda: lda, b: b, bStride: bStride, c: cRest, ldc: ldc, alpha: alpha, beta: beta, epilogue: rest, nextBlockDistance: nextBlockDistance)
            }
            return
        }
        runWithRowPointers(kc: kc, a: a, lda: lda, b: b, bStride: bStride, c: c, ldc: ldc, alpha: alpha, beta: beta,
                           epilogue: epilogue, nextBlockDistance: nextBlockDistance)
    }

    /// The first rows of a taller tile reading A in place.
    typealias InPlaceHead = SIMDGemmMicrokernel<8, NV, Vector>

    /// The most rows a tile reading A in place keeps in registers (as for direct convolution,
    /// which also loads through one pointer a row).
    static var largestRowsReadInPlace: Int { InPlaceHead.mr }

    /// `runUnpackedA` for up to `largestRowsReadInPlace` rows (a taller tile runs in parts): one
    /// pointer a row, computed once, and one k offset for all of them. On the AVX-512 host 64 and
    /// 128 cubed took 0.91 and 0.94x the time of `accumulate`'s `r * lda` addressing.
    ///
    /// The next block of A is fetched a line a row every 16 k steps (a line of each row is 16
    /// floats), from a branch the k loop takes once in four iterations: the same lines fetched
    /// by the driver in one burst before each tile (some 90 lines for res2b_branch2a's blocks)
    /// stalled the tile until most of them had arrived. Alternating runs on the AVX-512 host, two
    /// sets of rounds: res2b_branch2a at batch 8 (NHWC, im2col) 0.91 and 1.00x the time on one
    /// thread, 0.97 on two; 6272 x 64 x 1024 0.91 and 0.96x on one, 0.93 on two; squares
    /// unchanged (results/next-block-of-a-in-k-loop-20261205).
    @inline(__always)
    static func runWithRowPointers(kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, bStride: Int,
                                   c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                                   epilogue: TileEpilogue, nextBlockDistance: Int) {
        runWithRowPointers(kc: kc, a: a, lda: lda, b: b, bStride: bStride, secondPanel: nil, c: c, ldc: ldc, alpha: alpha,
                           beta: beta, epilogue: epilogue, nextBlockDistance: nextBlockDistance)
    }

    /// The same, with the second half of each k step's vectors of B `secondPanel` floats past
    /// the first half (the next micro-panel, `runUnpackedAPanelPair`) when it is not nil.
    @inline(__always)
    static func runWithRowPointers(kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, bStride: Int,
                                   secondPanel: Int?, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                                   epilogue: TileEpilogue, nextBlockDistance: Int) {
        prefetchTileOfC(c, ldc: ldc)
        var acc = Accumulators { _ in InlineArray { _ in .zero } }
        let rows = InlineArray<MR, UnsafePointer<Float>> { a + $0 * lda }
        let vectorBytes = Vector.scalarCount * MemoryLayout<Float>.stride
        let rowBytes = bStride * MemoryLayout<Float>.stride
        var pb = UnsafeRawPointer(b)
        var k = 0
        // Byte offset of vector j of a k step: contiguous, or its half's panel plus its place in it.
        @inline(__always) func vectorOffset(_ j: Int) -> Int {
            guard let secondPanel else { return j * vectorBytes }
            let perPanel = NV / 2
            return j < perPanel ? j * vectorBytes : secondPanel * MemoryLayout<Float>.stride + (j - perPanel) * vectorBytes
        }
        @inline(__always) func step(_ q: Int) {
            var bv = InlineArray<NV, Vector>(repeating: .zero)
            for j in 0..<NV { bv[j] = pb.loadUnaligned(fromByteOffset: q * rowBytes + vectorOffset(j), as: Vector.self) }
            for r in 0..<MR {
                let av = Vector(repeating: rows[r][k + q])
                for j in 0..<NV { acc[r][j].addProduct(av, bv[j]) }
            }
        }
        while k + 4 <= kc {
            if k & 15 == 0 && nextBlockDistance != 0 {
                for r in 0..<MR { nnk_prefetch_to_l2(rows[r] + k + nextBlockDistance) }
            }
            step(0); step(1); step(2); step(3)
            pb += 4 * rowBytes
            k += 4
        }
        while k < kc {
            step(0)
            pb += rowBytes
            k += 1
        }
        finish(acc, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue)
    }

    public static func runRows(_ rows: Int, aStride: Int, kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                               c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                               epilogue: TileEpilogue) {
        // One specialization per row count below MR, up to 11 (the 12-row AVX-512 tile: 512
        // rows end in an 8-row panel, which as a padded 12-row tile spent a third of its FMAs
        // on zeros and went through the scratch tile). Each case's guard folds to a constant in
        // every specialization, before the optimizer specializes the calls: without it, each
        // kernel also built the tiles of MR to 11 rows that it never runs (the 6 x 16 kernel five,
        // with all their epilogues).
        switch rows {
        case 1 where 1 < MR: SIMDGemmMicrokernel<1, NV, Vector>.run(kc: kc, a: a, aStride: aStride, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue)
        case 2 where 2 < MR: SIMDGemmMicrokernel<2, NV, Vector>.run(kc: kc, a: a, aStride: aStride, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue)
        case 3 where 3 < MR: SIMDGemmMicrokernel<3, NV, Vector>.run(kc: kc, a: a, aStride: aStride, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue)
        case 4 where 4 < MR: SIMDGemmMicrokernel<4, NV, Vector>.run(kc: kc, a: a, aStride: aStride, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue)
        case 5 where 5 < MR: SIMDGemmMicrokernel<5, NV, Vector>.run(kc: kc, a: a, aStride: aStride, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue)
        case 6 where 6 < MR: SIMDGemmMicrokernel<6, NV, Vector>.run(kc: kc, a: a, aStride: aStride, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue)
        case 7 where 7 < MR: SIMDGemmMicrokernel<7, NV, Vector>.run(kc: kc, a: a, aStride: aStride, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue)
        case 8 where 8 < MR: SIMDGemmMicrokernel<8, NV, Vector>.run(kc: kc, a: a, aStride: aStride, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue)
        case 9 where 9 < MR: SIMDGemmMicrokernel<9, NV, Vector>.run(kc: kc, a: a, aStride: aStride, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue)
        case 10 where 10 < MR: SIMDGemmMicrokernel<10, NV, Vector>.run(kc: kc, a: a, aStride: aStride, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue)
        case 11 where 11 < MR: SIMDGemmMicrokernel<11, NV, Vector>.run(kc: kc, a: a, aStride: aStride, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue)
        default: run(kc: kc, a: a, aStride: aStride, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue)
        }
    }

    /// Rows `runRows` handles with a tile of exactly that many rows (more are padded to MR).
    public static var largestShortTile: Int { min(MR - 1, 11) }

    public static var narrowColumns: Int { Vector.scalarCount }

    public static func runNarrow(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                 c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                                 epilogue: TileEpilogue) {
        SIMDGemmMicrokernel<MR, 1, Vector>.run(kc: kc, a: a, aStride: MR, b: b, bStride: nr, packInto: nil, c: c,
                                               ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue)
    }

    /// Stores finished accumulators through the epilogue: shared by every kernel built on
    /// this register tile (GEMM, direct convolution).
    @inline(__always)
    static func finish(_ acc: Accumulators, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                       epilogue: TileEpilogue) {
        if epilogue.isNone {
            store(acc, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue) { $0 }
            return
        }
        // One switch per tile; each case stores through its own inlined copy of the loop.
        switch epilogue.activation {
        case .identity:
            store(acc, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue) { $0 }
        // Every activation goes through the concrete SIMD8 code: a comparison on the generic
        // `Vector` builds its mask one lane at a time, even after specialization.
        case .relu:
            store(acc, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue) { VectorActivation.relu($0) }
        case let .leakyReLU(slope):
            store(acc, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue) {
                VectorActivation.leakyReLU($0, slope: slope)
            }
        case .sigmoid:
            store(acc, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue) {
                VectorActivation.apply($0) { Activation.sigmoid.simd($0) }
            }
        case .tanh:
            store(acc, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue) {
                VectorActivation.apply($0) { Activation.tanh.simd($0) }
            }
        case .gelu:
            store(acc, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue) {
                VectorActivation.apply($0) { Activation.gelu.simd($0) }
            }
        case .geluErf:
            store(acc, c: c, ldc: ldc, alpha: alpha, beta: beta, epilogue: epilogue) {
                VectorActivation.apply($0) { Activation.geluErf.simd($0) }
            }
        }
    }

    /// `finish` with alpha 1 and beta 0, out of line: for callers (direct convolution) where the
    /// compiler declines to inline `finish` and would then test alpha and beta on every vector
    /// of a loop it no longer unrolls. Here the constants fold and the tile's stores unroll.
    @inline(never)
    static func finishOverwriting(_ acc: Accumulators, c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: TileEpilogue) {
        finish(acc, c: c, ldc: ldc, alpha: 1, beta: 0, epilogue: epilogue)
    }

    /// `C = activation(alpha * acc + beta * C + bias)` for the whole tile; C is not read when
    /// beta is 0. The bias is per column, per row, or both.
    @inline(__always)
    static func store(_ acc: Accumulators, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                      epilogue: TileEpilogue, _ activation: (Vector) -> Vector) {
        let bias = epilogue.bias, rowBias = epilogue.rowBias
        let vectorBytes = Vector.scalarCount * MemoryLayout<Float>.stride
        let alphaV = Vector(repeating: alpha)
        let betaV = Vector(repeating: beta)
        var biasV = InlineArray<NV, Vector>(repeating: .zero)
        if let bias {
            for j in 0..<NV { biasV[j] = UnsafeRawPointer(bias).loadUnaligned(fromByteOffset: j * vectorBytes, as: Vector.self) }
        }
        // The tile's loop once per combination of C read and biases, each with its tests folded:
        // tested per vector, they cost as much as the stores on tiles of few k steps (LeNet's nine).
        @inline(__always) func storeTile(readsC: Bool, hasBias: Bool, hasRowBias: Bool) {
            for r in 0..<MR {
                let row = UnsafeMutableRawPointer(c + r * ldc)
                let rowBiasV = hasRowBias ? Vector(repeating: rowBias.unsafelyUnwrapped[r]) : .zero
                for j in 0..<NV {
                    var value = acc[r][j] * alphaV
                    if readsC {
                        value.addProduct(betaV, row.loadUnaligned(fromByteOffset: j * vectorBytes, as: Vector.self))
                    }
                    if hasBias { value += biasV[j] }
                    if hasRowBias { value += rowBiasV }
                    row.storeBytes(of: activation(value), toByteOffset: j * vectorBytes, as: Vector.self)
                }
            }
        }
        switch (beta != 0, bias != nil, rowBias != nil) {
        case (false, false, false): storeTile(readsC: false, hasBias: false, hasRowBias: false)
        case (false, true, false): storeTile(readsC: false, hasBias: true, hasRowBias: false)
        case (true, false, false): storeTile(readsC: true, hasBias: false, hasRowBias: false)
        case let (readsC, hasBias, hasRowBias): storeTile(readsC: readsC, hasBias: hasBias, hasRowBias: hasRowBias)
        }
    }
}
