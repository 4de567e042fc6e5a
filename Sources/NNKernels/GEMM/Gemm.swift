/// Single-precision GEMM: `C = alpha * op(A) * op(B) + beta * C`, row-major with leading dimensions.
public enum Gemm {
    /// Validates the call and runs `variant`.
    ///
    /// - Parameters:
    ///   - a: op(A) is m x k; A is stored m x k (`transA == .none`) or k x m, with row stride `lda`.
    ///   - b: op(B) is k x n; B is stored k x n or n x k, with row stride `ldb`.
    ///   - c: m x n with row stride `ldc`. When `beta == 0` C is only written, never read.
    ///   - threads: workers for the `packed` variant; the other variants are single-threaded.
    ///   - microkernel: the packed variant's microkernel; the best one this CPU supports by default.
    public static func compute(
        transA: Transpose = .none, transB: Transpose = .none,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafeBufferPointer<Float>, lda: Int,
        b: UnsafeBufferPointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutableBufferPointer<Float>, ldc: Int,
        variant: GemmVariant = .packed, threads: Int = 1,
        microkernel: GemmMicrokernelDescriptor = GemmMicrokernels.preferred
    ) throws {
        let problem = try validate(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                   a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        if threads < 1 { throw KernelError.invalidDimension(dimension: "threads", expected: ">= 1", got: threads) }
        if !microkernel.isSupported {
            throw KernelError.invalidDimension(dimension: "microkernel \(microkernel.name) (unsupported by this CPU)",
                                               expected: "a supported microkernel", got: 0)
        }
        run(problem, variant: variant, threads: threads, microkernel: microkernel)
    }

    /// Checks every dimension, stride and buffer extent; the first problem found is thrown.
    public static func validate(
        transA: Transpose, transB: Transpose, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafeBufferPointer<Float>, lda: Int, b: UnsafeBufferPointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutableBufferPointer<Float>, ldc: Int
    ) throws -> GemmProblem {
        try KernelError.checkNonNegative("M", m)
        try KernelError.checkNonNegative("N", n)
        try KernelError.checkNonNegative("K", k)
        let (aRows, aCols) = transA == .none ? (m, k) : (k, m)
        let (bRows, bCols) = transB == .none ? (k, n) : (n, k)
        try KernelError.checkLeadingDimension("lda", lda, atLeast: aCols)
        try KernelError.checkLeadingDimension("ldb", ldb, atLeast: bCols)
        try KernelError.checkLeadingDimension("ldc", ldc, atLeast: n)
        try KernelError.checkMatrixBuffer("A", count: a.count, rows: aRows, cols: aCols, ld: lda)
        try KernelError.checkMatrixBuffer("B", count: b.count, rows: bRows, cols: bCols, ld: ldb)
        try KernelError.checkMatrixBuffer("C", count: c.count, rows: m, cols: n, ld: ldc)
        // Empty buffers may have no base address; a zero-sized operand is never dereferenced.
        let empty = UnsafeMutablePointer<Float>(bitPattern: MemoryLayout<Float>.alignment)!
        return GemmProblem(m: m, n: n, k: k, alpha: alpha, beta: beta,
                           a: a.baseAddress ?? UnsafePointer(empty), lda: lda, transA: transA,
                           b: b.baseAddress ?? UnsafePointer(empty), ldb: ldb, transB: transB,
                           c: c.baseAddress ?? empty, ldc: ldc)
    }

    /// Runs a validated problem.
    public static func run(_ problem: GemmProblem, variant: GemmVariant, threads: Int = 1,
                           microkernel: GemmMicrokernelDescriptor = GemmMicrokernels.preferred) {
        if problem.completedWithoutProducts() { return }
        switch variant {
        case .naive: NaiveGemm.run(problem)
        case .simd: SIMDGemm.run(problem)
        case .tiled: TiledGemm.run(problem, blocking: TiledGemm.blocking(for: Topology.current))
        case .packed: microkernel.packedGemm(problem, threads: threads)
        }
    }
}
