import NNKernels

/// A small seeded generator, so a failing case can be replayed from the seed it prints.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Array where Element == Float {
    static func random(count: Int, in range: ClosedRange<Float> = -1...1, using rng: inout SplitMix64) -> [Float] {
        (0..<count).map { _ in Float.random(in: range, using: &rng) }
    }
}

/// `C = alpha * op(A) * op(B) + beta * C` in Double, with the bound on float rounding error for
/// every element: the sum of |terms| times K ulps (the classic `|fl(AB) - AB| <= K u |A||B|`),
/// plus the rounding of alpha, beta and the final store.
struct GemmReference {
    var values: [Double]
    var tolerances: [Double]

    init(transA: Transpose, transB: Transpose, m: Int, n: Int, k: Int, alpha: Float,
         a: [Float], lda: Int, b: [Float], ldb: Int, beta: Float, c: [Float], ldc: Int) {
        values = []
        tolerances = []
        let u = Double(Float.ulpOfOne)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0, magnitude = 0.0
                for p in 0..<k {
                    let x = Double(transA == .none ? a[i * lda + p] : a[p * lda + i])
                    let y = Double(transB == .none ? b[p * ldb + j] : b[j * ldb + p])
                    sum += x * y
                    magnitude += abs(x * y)
                }
                let old = beta == 0 ? 0 : Double(c[i * ldc + j])
                let value = Double(alpha) * sum + Double(beta) * old
                values.append(value)
                let scale = abs(Double(alpha)) * magnitude + abs(Double(beta) * old)
                tolerances.append(Double(k + 3) * u * scale + Double(Float.leastNormalMagnitude))
            }
        }
    }

    /// The first element (row, column) outside its bound, with the values, or nil.
    func firstMismatch(_ c: [Float], n: Int, ldc: Int) -> String? {
        firstOutOfBound(values: values, tolerances: tolerances, c, n: n, ldc: ldc)
    }
}

/// The first element of the m x n matrix `c` (row stride `ldc`) farther from `values` than
/// `tolerances` allow, described, or nil.
func firstOutOfBound(values: [Double], tolerances: [Double], _ c: [Float], n: Int, ldc: Int) -> String? {
    for (index, expected) in values.enumerated() {
        let i = index / n, j = index % n
        let got = Double(c[i * ldc + j])
        if !(abs(got - expected) <= tolerances[index]) {
            return "C[\(i),\(j)] = \(got), expected \(expected) +- \(tolerances[index])"
        }
    }
    return nil
}
