/// The "vectorized" loop: for each row of C and each k, add `A[i,p] * B[p, :]` to the row
/// eight lanes at a time. Needs rows of op(B) contiguous, so a transposed B is first copied
/// (inside the timed call, as a simple implementation would do).
enum SIMDGemm {
    typealias Vector = SIMD8<Float>

    static func run(_ p: GemmProblem) {
        withRowMajorB(p) { b, ldb in
            for i in 0..<p.m {
                let row = p.c + i * p.ldc
                initializeRow(row, count: p.n, beta: p.beta)
                for q in 0..<p.k {
                    axpy(p.alpha * p.aElement(i, q), b + q * ldb, row, count: p.n)
                }
            }
        }
    }

    /// `row = beta * row`, never reading the row when beta is 0.
    @inline(__always)
    static func initializeRow(_ row: UnsafeMutablePointer<Float>, count: Int, beta: Float) {
        if beta == 0 {
            row.update(repeating: 0, count: count)
        } else if beta != 1 {
            for j in 0..<count { row[j] *= beta }
        }
    }

    /// `y[0..<count] += s * x[0..<count]`, the inner loop of the SIMD variant.
    @inline(__always)
    static func axpy(_ s: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        let width = Vector.scalarCount
        let sv = Vector(repeating: s)
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        var j = 0
        // Four vectors per iteration: the loop body then spans several 64-byte fetch blocks
        // wherever the linker places it. With one vector per iteration it fit in one, and ran
        // 20 to 80% slower whenever an unrelated change moved it across a block boundary.
        while j + 4 * width <= count {
            for u in 0..<4 {
                var acc = ry.loadUnaligned(fromByteOffset: (j + u * width) * 4, as: Vector.self)
                acc.addProduct(sv, rx.loadUnaligned(fromByteOffset: (j + u * width) * 4, as: Vector.self))
                ry.storeBytes(of: acc, toByteOffset: (j + u * width) * 4, as: Vector.self)
            }
            j += 4 * width
        }
        while j + width <= count {
            var acc = ry.loadUnaligned(fromByteOffset: j * 4, as: Vector.self)
            acc.addProduct(sv, rx.loadUnaligned(fromByteOffset: j * 4, as: Vector.self))
            ry.storeBytes(of: acc, toByteOffset: j * 4, as: Vector.self)
            j += width
        }
        while j < count {
            y[j] += s * x[j]
            j += 1
        }
    }

    /// Calls `body` with op(B) as a row-major k x n matrix, transposing into a temporary if needed.
    static func withRowMajorB(_ p: GemmProblem, _ body: (UnsafePointer<Float>, Int) -> Void) {
        if p.transB == .none {
            body(p.b, p.ldb)
            return
        }
        let copy = UnsafeMutablePointer<Float>.allocate(capacity: p.k * p.n)
        defer { copy.deallocate() }
        for q in 0..<p.k {
            for j in 0..<p.n { copy[q * p.n + j] = p.b[j * p.ldb + q] }
        }
        body(copy, p.n)
    }
}
