/// The tutorial's triple loop: each element of C is a dot product of a row of op(A) and a
/// column of op(B). Kept as the first rung of the ladder and as a readable definition.
enum NaiveGemm {
    static func run(_ p: GemmProblem) {
        for i in 0..<p.m {
            for j in 0..<p.n {
                var sum: Float = 0
                for q in 0..<p.k { sum += p.aElement(i, q) * p.bElement(q, j) }
                let cij = p.c + i * p.ldc + j
                cij.pointee = p.beta == 0 ? p.alpha * sum : p.alpha * sum + p.beta * cij.pointee
            }
        }
    }
}
