/// One row of C (a dense layer at batch 1) when B would reach the row-stream tile in short rows
/// (`RowStreamGemm.readsShortRows`: 8-lane vectors, a slice of B beyond L2): B streamed four rows at a time
/// across the whole column range, each vector of C loaded, given four FMAs and stored back. C's
/// row stays in L1 while B arrives as four sequential streams, which the hardware prefetchers
/// follow; the row-stream tile instead reads a depth block of B rows, each a separate stream.
/// With 16 registers the tile is one row by eight 8-lane vectors, 256 bytes of every B row a
/// block, and on the AVX2 host (Zen 3) it lost: 1 x 1024 x 1024 on one thread took 0.097 ms in
/// depth blocks of 64 and 0.079 ms in blocks of 8 against 0.066 ms here, 1 x 1024 x 4096 0.66
/// against 0.43 ms (`results/row-stream-20261203/`). On AVX-512 the tile is 128 columns wide and
/// won against this loop (`results/row-stream-20261202/depth-blocks/`), so it keeps one row there;
/// so does a slice in L2 (1 x 256 x 784 on two workers: 0.0076 ms by the tile, 0.0109 here).
enum OneRowStream {
    static let depthUnroll = 4

    /// C[0, columns] = alpha * a * B[:, columns] + beta * C[0, columns], with `a` the k values
    /// of op(A)'s one row, contiguous.
    @inline(__always)
    static func run<Vector: SIMD>(_ p: GemmProblem, a: UnsafePointer<Float>, _ columns: Range<Int>,
                                  vector: Vector.Type) where Vector.Scalar == Float {
        let width = Vector.scalarCount
        let vectorEnd = columns.lowerBound + (columns.count / width) * width
        SIMDGemm.initializeRow(p.c + columns.lowerBound, count: columns.count, beta: p.beta)
        let c = UnsafeMutableRawPointer(p.c)
        var q = 0
        while q + depthUnroll <= p.k {
            let b0 = UnsafeRawPointer(p.b + q * p.ldb), b1 = UnsafeRawPointer(p.b + (q + 1) * p.ldb)
            let b2 = UnsafeRawPointer(p.b + (q + 2) * p.ldb), b3 = UnsafeRawPointer(p.b + (q + 3) * p.ldb)
            let a0 = Vector(repeating: p.alpha * a[q]), a1 = Vector(repeating: p.alpha * a[q + 1])
            let a2 = Vector(repeating: p.alpha * a[q + 2]), a3 = Vector(repeating: p.alpha * a[q + 3])
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
            // Fewer columns than a vector at the end of the range: one at a time.
            while j < columns.upperBound {
                var sum = p.c[j]
                for u in 0..<depthUnroll { sum += p.alpha * a[q + u] * p.b[(q + u) * p.ldb + j] }
                p.c[j] = sum
                j += 1
            }
            q += depthUnroll
        }
        while q < p.k {
            SIMDGemm.axpy(p.alpha * a[q], p.b + q * p.ldb + columns.lowerBound, p.c + columns.lowerBound, count: columns.count)
            q += 1
        }
    }
}
