/// The SIMD loop with cache blocking but no packing: a KB x NB block of op(B) is reused by
/// every row of C while it stays in L2, and the NB-wide slice of a C row stays in L1.
enum TiledGemm {
    struct Blocking {
        var kb: Int
        var nb: Int
    }

    /// NB: a slice of a C row plus one of B fills at most a quarter of L1d (multiple of 8);
    /// KB: the KB x NB block of B fills at most half of L2.
    static func blocking(for topology: Topology) -> Blocking {
        let nb = max(8, topology.l1d.sizeBytes / 4 / (2 * 4) / 8 * 8)
        let kb = max(8, topology.l2.sizeBytes / 2 / (nb * 4))
        return Blocking(kb: kb, nb: nb)
    }

    static func run(_ p: GemmProblem, blocking: Blocking) {
        SIMDGemm.withRowMajorB(p) { b, ldb in
            for i in 0..<p.m { SIMDGemm.initializeRow(p.c + i * p.ldc, count: p.n, beta: p.beta) }
            for j0 in stride(from: 0, to: p.n, by: blocking.nb) {
                let nb = min(blocking.nb, p.n - j0)
                for q0 in stride(from: 0, to: p.k, by: blocking.kb) {
                    let kb = min(blocking.kb, p.k - q0)
                    for i in 0..<p.m {
                        let row = p.c + i * p.ldc + j0
                        for q in q0..<(q0 + kb) {
                            SIMDGemm.axpy(p.alpha * p.aElement(i, q), b + q * ldb + j0, row, count: nb)
                        }
                    }
                }
            }
        }
    }
}
