/// GEMM for fewer rows than one micro-panel (a dense layer at batch 1 to MR - 1) with op(B)
/// not transposed. Every element of B is used by fewer than MR rows, so packing it would cost
/// more than the arithmetic it serves; instead B is streamed once, row by row, four rows of B
/// per pass over a row of C (so C is loaded and stored once per four FMAs). The problem is
/// bound by how fast B arrives, so the bench also reports it in GB/s. Threads split the columns.
enum RowStreamGemm {
    typealias Vector = SIMD8<Float>
    static let depthUnroll = 4

    static func applies(_ p: GemmProblem, mr: Int) -> Bool {
        p.m < mr && p.transB == .none
    }

    static func run(_ p: GemmProblem, threads: Int, minimumFlopsPerExtraWorker: Double, epilogue: GemmEpilogue = .none) {
        let width = Vector.scalarCount
        let workers = min(Tuning.workers(requested: threads, flops: p.flops, minimumFlopsPerExtraWorker: minimumFlopsPerExtraWorker),
                          max(1, (p.n + width - 1) / width))
        // Column ranges in whole vectors, so only the last range has a scalar tail.
        let chunk = ((p.n + workers - 1) / workers + width - 1) / width * width
        ParallelRegion.run(workers: workers) { worker in
            let start = min(p.n, worker * chunk)
            let range = start..<min(p.n, start + chunk)
            columns(p, range)
            // No register tile here: the epilogue runs over this worker's slice while it is in cache.
            epilogue.apply(rows: p.m, columns: range, c: p.c, ldc: p.ldc)
        }
    }

    /// C[:, columns] = alpha * op(A) * B[:, columns] + beta * C[:, columns].
    static func columns(_ p: GemmProblem, _ columns: Range<Int>) {
        if columns.isEmpty { return }
        let width = Vector.scalarCount
        let vectorEnd = columns.lowerBound + (columns.count / width) * width
        for i in 0..<p.m {
            SIMDGemm.initializeRow(p.c + i * p.ldc + columns.lowerBound, count: columns.count, beta: p.beta)
        }
        var q = 0
        while q + depthUnroll <= p.k {
            let b0 = UnsafeRawPointer(p.b + q * p.ldb), b1 = UnsafeRawPointer(p.b + (q + 1) * p.ldb)
            let b2 = UnsafeRawPointer(p.b + (q + 2) * p.ldb), b3 = UnsafeRawPointer(p.b + (q + 3) * p.ldb)
            for i in 0..<p.m {
                let a0 = Vector(repeating: p.alpha * p.aElement(i, q)), a1 = Vector(repeating: p.alpha * p.aElement(i, q + 1))
                let a2 = Vector(repeating: p.alpha * p.aElement(i, q + 2)), a3 = Vector(repeating: p.alpha * p.aElement(i, q + 3))
                let c = UnsafeMutableRawPointer(p.c + i * p.ldc)
                var j = columns.lowerBound
                while j < vectorEnd {
                    let offset = j * MemoryLayout<Float>.stride
                    var value = c.loadUnaligned(fromByteOffset: offset, as: Vector.self)
                    value.addProduct(a0, b0.loadUnaligned(fromByteOffset: offset, as: Vector.self))
                    value.addProduct(a1, b1.loadUnaligned(fromByteOffset: offset, as: Vector.self))
                    value.addProduct(a2, b2.loadUnaligned(fromByteOffset: offset, as: Vector.self))
                    value.addProduct(a3, b3.loadUnaligned(fromByteOffset: offset, as: Vector.self))
                    c.storeBytes(of: value, toByteOffset: offset, as: Vector.self)
                    j += width
                }
                let cRow = p.c + i * p.ldc
                while j < columns.upperBound {
                    var sum = cRow[j]
                    for u in 0..<depthUnroll { sum += p.alpha * p.aElement(i, q + u) * p.b[(q + u) * p.ldb + j] }
                    cRow[j] = sum
                    j += 1
                }
            }
            q += depthUnroll
        }
        while q < p.k {
            for i in 0..<p.m {
                let row = p.c + i * p.ldc + columns.lowerBound
                SIMDGemm.axpy(p.alpha * p.aElement(i, q), p.b + q * p.ldb + columns.lowerBound, row, count: columns.count)
            }
            q += 1
        }
    }
}
