import NNKernels

/// Checks a GEMM's output against a Double reference. Rounding bounds each element of C by
/// (K + 3) ulps of `|alpha| |op(A)| |op(B)|`. Up to `elementwiseLimit` multiply-adds every element is
/// compared with that bound; larger problems get BLIS's O(mk + kn + mn) check instead: multiply
/// both sides by a random vector x and bound each element of `C x` by (K + 3) ulps of
/// `|alpha| |op(A)| (|op(B)| |x|)` (it dilutes an error in one element among a row, so it is
/// kept for problems too large to check element by element).
enum GemmCheck {
    static let elementwiseLimit = 1 << 26

    /// Assumes the call was made with beta 0 (the bench's problems are).
    static func check(_ p: GemmProblem) -> CheckOutcome {
        p.m * p.n * p.k <= elementwiseLimit ? elementwise(p) : randomProjection(p)
    }

    static func elementwise(_ p: GemmProblem) -> CheckOutcome {
        let bound = Double(p.k + 3) * Double(Float.ulpOfOne)
        var worst = 0.0
        var passed = true
        var row = [Double](repeating: 0, count: p.k)
        for i in 0..<p.m {
            for q in 0..<p.k { row[q] = Double(p.transA == .none ? p.a[i * p.lda + q] : p.a[q * p.lda + i]) }
            for j in 0..<p.n {
                var sum = 0.0, magnitude = 0.0
                for q in 0..<p.k {
                    let product = row[q] * Double(p.transB == .none ? p.b[q * p.ldb + j] : p.b[j * p.ldb + q])
                    sum += product
                    magnitude += abs(product)
                }
                let scale = abs(Double(p.alpha)) * magnitude
                let error = abs(Double(p.c[i * p.ldc + j]) - Double(p.alpha) * sum) / max(scale, Double(Float.leastNormalMagnitude))
                if !(error <= bound) { passed = false }
                worst = error.isNaN ? .infinity : max(worst, error)
            }
        }
        return CheckOutcome(passed: passed, maxError: worst)
    }

    static func randomProjection(_ p: GemmProblem) -> CheckOutcome {
        var state: UInt64 = 0x9E37_79B9
        let x: [Double] = (0..<p.n).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
        var bx = [Double](repeating: 0, count: p.k), bxAbs = [Double](repeating: 0, count: p.k)
        for q in 0..<p.k {
            var sum = 0.0, magnitude = 0.0
            for j in 0..<p.n {
                let value = Double(p.transB == .none ? p.b[q * p.ldb + j] : p.b[j * p.ldb + q])
                sum += value * x[j]
                magnitude += abs(value * x[j])
            }
            bx[q] = sum
            bxAbs[q] = magnitude
        }
        let bound = Double(p.k + 3) * Double(Float.ulpOfOne)
        var worst = 0.0
        var passed = true
        for i in 0..<p.m {
            var expected = 0.0, magnitude = 0.0, got = 0.0
            for q in 0..<p.k {
                let value = Double(p.transA == .none ? p.a[i * p.lda + q] : p.a[q * p.lda + i])
                expected += value * bx[q]
                magnitude += abs(value) * bxAbs[q]
            }
            for j in 0..<p.n { got += Double(p.c[i * p.ldc + j]) * x[j] }
            expected *= Double(p.alpha)
            magnitude *= abs(Double(p.alpha))
            let error = abs(got - expected) / max(magnitude, Double(Float.leastNormalMagnitude))
            if !(error <= bound) { passed = false }
            worst = error.isNaN ? .infinity : max(worst, error)
        }
        return CheckOutcome(passed: passed, maxError: worst)
    }
}
