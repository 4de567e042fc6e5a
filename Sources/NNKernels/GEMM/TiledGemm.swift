/// Cache blocking and register blocking, without packing: the step between the SIMD loop and
/// the packed kernel. A KB x NB block of op(B) stays in L2 while every row of C passes over it,
/// and each 4 x 16 tile of C is accumulated in registers over the KB-deep slice, reading A and B
/// where they lie (so strided rows of B cost cache misses that packing would avoid). Edges that
/// do not fill a tile take a scalar loop.
enum TiledGemm {
    typealias Vector = SIMD8<Float>
    static let tileRows = 4
    static let tileVectors = 2
    static var tileColumns: Int { tileVectors * Vector.scalarCount }

    struct Blocking {
        var kb: Int
        var nb: Int
    }

    /// KB: the KB rows of a 16-column B strip (one line each) fill at most half of L1d;
    /// NB: the KB x NB block of B fills at most half of L2 (a multiple of the tile width).
    static func blocking(for topology: Topology) -> Blocking {
        let kb = max(8, topology.l1d.sizeBytes / 2 / topology.l1d.lineBytes)
        let nb = max(tileColumns, topology.l2.sizeBytes / 2 / (kb * 4) / tileColumns * tileColumns)
        return Blocking(kb: kb, nb: nb)
    }

    static func run(_ p: GemmProblem, blocking: Blocking) {
        TileLayoutWarmUp.ensure()
        SIMDGemm.withRowMajorB(p) { b, ldb in
            for i in 0..<p.m { SIMDGemm.initializeRow(p.c + i * p.ldc, count: p.n, beta: p.beta) }
            // op(A)(i, q) = a[i * rowStride + q * depthStride] for either storage order.
            let (rowStride, depthStride) = p.transA == .none ? (p.lda, 1) : (1, p.lda)
            for j0 in stride(from: 0, to: p.n, by: blocking.nb) {
                let jEnd = min(p.n, j0 + blocking.nb)
                for q0 in stride(from: 0, to: p.k, by: blocking.kb) {
                    let kb = min(blocking.kb, p.k - q0)
                    var i = 0
                    while i < p.m {
                        let rows = min(tileRows, p.m - i)
                        var j = j0
                        while j < jEnd {
                            let columns = min(tileColumns, jEnd - j)
                            let a = p.a + i * rowStride + q0 * depthStride
                            let bBlock = b + q0 * ldb + j
                            let c = p.c + i * p.ldc + j
                            if rows == tileRows && columns == tileColumns {
                                tile(kb: kb, a: a, rowStride: rowStride, depthStride: depthStride,
                                     b: bBlock, ldb: ldb, c: c, ldc: p.ldc, alpha: p.alpha)
                            } else {
                                edge(rows: rows, columns: columns, kb: kb, a: a, rowStride: rowStride,
                                     depthStride: depthStride, b: bBlock, ldb: ldb, c: c, ldc: p.ldc, alpha: p.alpha)
                            }
                            j += columns
                        }
                        i += rows
                    }
                }
            }
        }
    }

    /// C[4 x 16] += alpha * A[4 x kb] * B[kb x 16], the accumulators in registers.
    @inline(__always)
    static func tile(kb: Int, a: UnsafePointer<Float>, rowStride: Int, depthStride: Int,
                     b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float) {
        var acc = InlineArray<4, InlineArray<2, Vector>>(repeating: InlineArray(repeating: .zero))
        for q in 0..<kb {
            let row = UnsafeRawPointer(b + q * ldb)
            let b0 = row.loadUnaligned(as: Vector.self)
            let b1 = row.loadUnaligned(fromByteOffset: 32, as: Vector.self)
            for r in 0..<4 {
                let av = Vector(repeating: a[r * rowStride + q * depthStride])
                acc[r][0].addProduct(av, b0)
                acc[r][1].addProduct(av, b1)
            }
        }
        let alphaV = Vector(repeating: alpha)
        for r in 0..<4 {
            let row = UnsafeMutableRawPointer(c + r * ldc)
            for v in 0..<2 {
                var value = row.loadUnaligned(fromByteOffset: v * 32, as: Vector.self)
                value.addProduct(alphaV, acc[r][v])
                row.storeBytes(of: value, toByteOffset: v * 32, as: Vector.self)
            }
        }
    }

    static func edge(rows: Int, columns: Int, kb: Int, a: UnsafePointer<Float>, rowStride: Int, depthStride: Int,
                     b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float) {
        for r in 0..<rows {
            for j in 0..<columns {
                var sum: Float = 0
                for q in 0..<kb { sum += a[r * rowStride + q * depthStride] * b[q * ldb + j] }
                c[r * ldc + j] += alpha * sum
            }
        }
    }
}
