/// A validated GEMM call, `C = alpha * op(A) * op(B) + beta * C`, row-major, as the inner
/// kernels receive it. Kernels trust it: `Gemm.compute` has checked shapes and buffers.
public struct GemmProblem: @unchecked Sendable {
    public var m: Int
    public var n: Int
    public var k: Int
    public var alpha: Float
    public var beta: Float
    public var a: UnsafePointer<Float>
    public var lda: Int
    public var transA: Transpose
    public var b: UnsafePointer<Float>
    public var ldb: Int
    public var transB: Transpose
    public var c: UnsafeMutablePointer<Float>
    public var ldc: Int

    /// Element (i, p) of op(A), an m x k matrix.
    @inline(__always)
    func aElement(_ i: Int, _ p: Int) -> Float {
        transA == .none ? a[i * lda + p] : a[p * lda + i]
    }

    /// Element (p, j) of op(B), a k x n matrix.
    @inline(__always)
    func bElement(_ p: Int, _ j: Int) -> Float {
        transB == .none ? b[p * ldb + j] : b[j * ldb + p]
    }

    public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }

    /// Handles the calls with no products to sum (an empty C, K = 0 or alpha = 0) and says
    /// whether it did; every kernel entry asks this first, so inner loops never see them.
    func completedWithoutProducts() -> Bool {
        if m == 0 || n == 0 { return true }
        if k == 0 || alpha == 0 {
            scaleC(by: beta)
            return true
        }
        return false
    }

    /// `C = beta * C` over the m x n block, never reading C when beta is 0 (it may hold NaN).
    func scaleC(by beta: Float) {
        if beta == 1 { return }
        for i in 0..<m {
            let row = c + i * ldc
            if beta == 0 {
                row.update(repeating: 0, count: n)
            } else {
                for j in 0..<n { row[j] *= beta }
            }
        }
    }
}
