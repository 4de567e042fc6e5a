/// Every register tile of the supported microkernels is run once, on one thread, before any kernel
/// runs one, so that the runtime has finished laying out each tile's accumulators before two
/// threads can ask for a layout at the same moment.
///
/// Why: a build that leaves the tiles generic (a debug build) gets the layout of a tile's
/// accumulators (`SIMDGemmMicrokernel.Accumulators`, an `InlineArray` of `InlineArray`s, and
/// the four sets of them in `accumulateInSets`) from the Swift runtime at first use. Callers
/// that made their first calls together (`ConcurrentCallersTests`, a debug build under
/// ThreadSanitizer) crashed, corrupted the heap or got a wrong C in 4 of 185 runs on the AVX-512
/// host and 4 of 320 on the AVX2 host; each crash was in a tile that addressed its accumulators
/// with a stride of 1, a layout built while its element's size read 0 (results/known-defect-20261207).
/// Where the runtime goes wrong is not found. This takes the first use of every tile layout away
/// from concurrent callers: the same loop then ran 493 times without a failure on the AVX2 host
/// (results/tile-layout-warm-up-20261207).
/// A release build lays the tiles out at compile time; it pays the warm-up once a process
/// and one `swift_once` check a call.
///
/// The warm-up runs tiles and loops directly, never an entry that calls `ensure()`: the once
/// would wait for itself. It uses no worker pool, so it never waits for another caller.
enum TileLayoutWarmUp {
    /// Runs the warm-up once a process; callers that arrive while it runs wait for it.
    /// Every entry that reaches a tile calls this first: the packed driver, the short-panel and
    /// row-stream loops, the tiled GEMM, direct convolution and the bare microkernels.
    @inline(__always)
    static func ensure() { _ = completed }

    private static let completed: Bool = {
        for kernel in GemmMicrokernels.all where kernel.isSupported { kernel.warmUpTiles() }
        warmUpTiledGemm()
        return true
    }()

    /// k steps each tile runs: four in the unrolled loop, one in the loop after it.
    private static let depth = 5

    /// Every tile `Kernel` and the loops built on its vector type can run: the full tile with
    /// each activation and a bias, the short tiles of 1 to `largestShortTile` rows (which are also
    /// direct convolution's tiles), the narrow tile, the tile that packs B, the tiles that read A
    /// in place (taller ones run in parts, a pair over two micro-panels), and the row-stream tiles
    /// of every row count below MR, over zeros.
    static func run<let MR: Int, let NV: Int, Vector: SIMD>(_: SIMDGemmMicrokernel<MR, NV, Vector>.Type)
    where Vector.Scalar == Float {
        typealias Kernel = SIMDGemmMicrokernel<MR, NV, Vector>
        let kc = depth, nr = Kernel.nr, width = Vector.scalarCount
        // Row-stream tiles of up to eight vectors, then a one-vector tile, then a tail of three columns.
        let streamColumns = 9 * width + 3
        let rows = max(MR, RowStreamGemm.largestRows)
        let columns = max(2 * nr, streamColumns)
        let aCount = rows * kc, bCount = kc * columns, cCount = rows * columns
        let biasCount = max(nr, rows)
        let scratch = AlignedFloatBuffer(zeroedCount: aCount + bCount + cCount + kc * nr + 2 * biasCount)
        defer { scratch.deallocate() }
        let a = UnsafePointer(scratch.pointer), b = a + aCount
        let c = scratch.pointer + aCount + bCount
        let packInto = c + cCount
        let bias = UnsafePointer(packInto + kc * nr), rowBias = bias + biasCount

        Kernel.run(kc: kc, a: a, b: b, c: c, ldc: columns, alpha: 1, beta: 0, epilogue: .none)
        for activation in Activation.all {
            Kernel.run(kc: kc, a: a, b: b, c: c, ldc: columns, alpha: 1, beta: 1,
                       epilogue: TileEpilogue(bias: bias, rowBias: rowBias, activation: activation))
        }
        for shortRows in stride(from: 1, through: Kernel.largestShortTile, by: 1) {
            Kernel.runRows(shortRows, aStride: shortRows, kc: kc, a: a, b: b, c: c, ldc: columns, alpha: 1, beta: 0,
                           epilogue: .none)
        }
        Kernel.runNarrow(kc: kc, a: a, b: b, c: c, ldc: columns, alpha: 1, beta: 0, epilogue: .none)
        Kernel.runPackingB(kc: kc, a: a, source: b, ldb: columns, packInto: packInto, c: c, ldc: columns,
                           alpha: 1, beta: 0, epilogue: .none)
        Kernel.runUnpackedA(kc: kc, a: a, lda: kc, b: b, c: c, ldc: columns, alpha: 1, beta: 0, epilogue: .none,
                            nextBlockDistance: 0)
        Kernel.runUnpackedANarrow(kc: kc, a: a, lda: kc, b: b, c: c, ldc: columns, alpha: 1, beta: 0, epilogue: .none,
                                  nextBlockDistance: 0)
        if Kernel.pairsPanelsInPlace {
            Kernel.runUnpackedAPanelPair(kc: kc, a: a, lda: kc, b: b, panelStride: kc * nr, c: c, ldc: columns,
                                         alpha: 1, beta: 0, epilogue: .none, nextBlockDistance: 0)
        }
        for m in stride(from: 1, through: min(MR - 1, RowStreamGemm.largestRows), by: 1) {
            let problem = GemmProblem(m: m, n: streamColumns, k: kc, alpha: 1, beta: 0, a: a, lda: kc, transA: .none,
                                      b: b, ldb: columns, transB: .none, c: c, ldc: columns)
            RowStreamGemm.columns(problem, a: a, 0..<streamColumns, shortRows: false, kernel: Kernel.self)
        }
    }

    /// The tiled GEMM's one 4 x 16 tile.
    private static func warmUpTiledGemm() {
        let kc = depth, rows = TiledGemm.tileRows, columns = TiledGemm.tileColumns
        let aCount = rows * kc, bCount = kc * columns
        let scratch = AlignedFloatBuffer(zeroedCount: aCount + bCount + rows * columns)
        defer { scratch.deallocate() }
        let a = UnsafePointer(scratch.pointer)
        TiledGemm.tile(kb: kc, a: a, rowStride: kc, depthStride: 1, b: a + aCount, ldb: columns,
                       c: scratch.pointer + aCount + bCount, ldc: columns, alpha: 1)
    }
}
