import Testing
import NNKernels

/// One GEMM call with its operands laid out with padded leading dimensions.
struct GemmCase: CustomStringConvertible {
    var transA: Transpose, transB: Transpose
    var m: Int, n: Int, k: Int
    var alpha: Float, beta: Float
    var lda: Int, ldb: Int, ldc: Int
    var a: [Float], b: [Float], c: [Float]

    init(transA: Transpose, transB: Transpose, m: Int, n: Int, k: Int, alpha: Float, beta: Float,
         padding: Int, rng: inout SplitMix64) {
        self.transA = transA; self.transB = transB
        self.m = m; self.n = n; self.k = k
        self.alpha = alpha; self.beta = beta
        let (aRows, aCols) = transA == .none ? (m, k) : (k, m)
        let (bRows, bCols) = transB == .none ? (k, n) : (n, k)
        lda = max(1, aCols + padding); ldb = max(1, bCols + padding); ldc = max(1, n + padding)
        a = .random(count: max(0, aRows * lda), using: &rng)
        b = .random(count: max(0, bRows * ldb), using: &rng)
        // beta == 0 must not read C: fill it with NaN to prove it.
        c = beta == 0 ? [Float](repeating: .nan, count: m * ldc) : .random(count: m * ldc, using: &rng)
    }

    var description: String {
        "M x N x K = \(m) x \(n) x \(k), op(A)=\(transA.rawValue) op(B)=\(transB.rawValue), alpha=\(alpha) beta=\(beta), lda=\(lda) ldb=\(ldb) ldc=\(ldc)"
    }

    var reference: GemmReference {
        GemmReference(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// Runs `body` with a validated problem over copies of the operands; returns the resulting C.
    func run(_ body: (GemmProblem) throws -> Void) throws -> [Float] {
        var c = self.c
        try a.withUnsafeBufferPointer { a in
            try b.withUnsafeBufferPointer { b in
                try c.withUnsafeMutableBufferPointer { c in
                    let problem = try Gemm.validate(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                                    a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
                    try body(problem)
                }
            }
        }
        return c
    }

    /// Checks C against the reference, and that padding columns of C were not touched.
    func check(_ result: [Float], _ label: String) {
        let mismatch = reference.firstMismatch(result, n: n, ldc: ldc)
        #expect(mismatch == nil, "\(label) \(self): \(mismatch ?? "")")
        for i in 0..<m {
            for j in n..<ldc where result[i * ldc + j].bitPattern != c[i * ldc + j].bitPattern {
                Issue.record("\(label) \(self): wrote padding C[\(i),\(j)]")
                return
            }
        }
    }
}

extension GemmCase {
    /// Runs op(A) x B, with A as it is and transposed (B not), through `kernel`'s production
    /// packed GEMM on `workers` threads at `blocking`, and checks each C against the reference.
    static func checkPacked(_ kernel: GemmMicrokernelDescriptor, m: Int, n: Int, k: Int, workers: Int,
                            blocking: GemmBlocking, rng: inout SplitMix64, _ label: String) throws {
        for transA in [Transpose.none, .transposed] {
            let (alpha, beta): (Float, Float) = [(1, 0), (-0.5, 1.5), (2, 1)][(m + n + k) % 3]
            let testCase = GemmCase(transA: transA, transB: .none, m: m, n: n, k: k, alpha: alpha, beta: beta,
                                    padding: 3, rng: &rng)
            let result = try testCase.run {
                kernel.packedGemm($0, threads: workers, blocking: blocking, minimumFlopsPerExtraWorker: 0)
            }
            testCase.check(result, label)
        }
    }
}

@Suite("GEMM driver and variants")
struct GemmDriverTests {
    static let kernels = GemmMicrokernels.all.filter(\.isSupported)
    /// Awkward sizes: empty, 1, primes, just off the tile sizes.
    static let sizes = [0, 1, 2, 3, 5, 7, 13, 16, 17, 23, 31, 37]

    /// Block sizes of one to three tiles and depths of 1, 5 and 16: many phases, and partial
    /// blocks in every loop, on problems of a few dozen rows.
    static func smallBlockings(for kernel: GemmMicrokernelDescriptor) -> [GemmBlocking] {
        [GemmBlocking(mc: kernel.mr, kc: 1, nc: kernel.nr),
         GemmBlocking(mc: 2 * kernel.mr, kc: 5, nc: 2 * kernel.nr),
         GemmBlocking(mc: 3 * kernel.mr, kc: 16, nc: 3 * kernel.nr)]
    }

    static func randomCases(count: Int, seed: UInt64, maxSize: Int) -> [GemmCase] {
        var rng = SplitMix64(seed: seed)
        let scalars: [(Float, Float)] = [(1, 0), (1, 1), (-1.5, 0.5), (0.5, 0), (0, 2), (2, -1)]
        return (0..<count).map { index in
            let pick = { (rng: inout SplitMix64) -> Int in
                Bool.random(using: &rng) ? sizes.randomElement(using: &rng)! : Int.random(in: 0...maxSize, using: &rng)
            }
            let (alpha, beta) = scalars[index % scalars.count]
            return GemmCase(transA: Bool.random(using: &rng) ? .none : .transposed,
                            transB: Bool.random(using: &rng) ? .none : .transposed,
                            m: pick(&rng), n: pick(&rng), k: pick(&rng), alpha: alpha, beta: beta,
                            padding: [0, 1, 3, 7].randomElement(using: &rng)!, rng: &rng)
        }
    }

    @Test("every variant on random shapes, transposes, strides, alpha and beta", arguments: GemmVariant.allCases)
    func variantsMatchReference(_ variant: GemmVariant) throws {
        for testCase in Self.randomCases(count: 60, seed: 42, maxSize: 70) {
            let result = try testCase.run { Gemm.run($0, variant: variant) }
            testCase.check(result, "\(variant)")
        }
    }

    /// Tiny block sizes give many phases, partial blocks in every loop and, with the threshold
    /// at zero, two workers even on small problems: the schedule's every path.
    @Test("packed driver with small blocks on 1 and 2 threads", arguments: kernels.map(\.name), [1, 2])
    func packedDriverSmallBlocks(_ name: String, threads: Int) throws {
        let kernel = try #require(GemmMicrokernels.named(name))
        let blockings = Self.smallBlockings(for: kernel)
        for (index, testCase) in Self.randomCases(count: 45, seed: 7 + UInt64(threads), maxSize: 60).enumerated() {
            let blocking = blockings[index % blockings.count]
            let result = try testCase.run {
                kernel.packedGemm($0, threads: threads, blocking: blocking, minimumFlopsPerExtraWorker: 0)
            }
            testCase.check(result, "\(name) MRxNR=\(kernel.mr)x\(kernel.nr) \(blocking) threads=\(threads)")
        }
    }

    @Test("m and n below, at and above MR and NR", arguments: kernels.map(\.name))
    func edgesAroundTheTile(_ name: String) throws {
        let kernel = try #require(GemmMicrokernels.named(name))
        var rng = SplitMix64(seed: 99)
        let ms = [1, kernel.mr - 1, kernel.mr, kernel.mr + 1, 2 * kernel.mr + 1].filter { $0 > 0 }
        let ns = [1, kernel.nr - 1, kernel.nr, kernel.nr + 1, 2 * kernel.nr + 3].filter { $0 > 0 }
        for m in ms {
            for n in ns {
                for k in [1, 8, 19] {
                    let testCase = GemmCase(transA: .none, transB: .none, m: m, n: n, k: k, alpha: 1, beta: 0,
                                            padding: 3, rng: &rng)
                    let result = try testCase.run { kernel.packedGemm($0, threads: 2, minimumFlopsPerExtraWorker: 0) }
                    testCase.check(result, "\(name) MRxNR=\(kernel.mr)x\(kernel.nr)")
                }
            }
        }
    }

    /// Fewer rows than a micro-panel take the streaming path: every m below MR on every
    /// microkernel (each vector width has its own table of tile widths), k around the unroll of
    /// 4, n covering whole wide tiles (up to 128 columns), one-vector tiles and a scalar tail,
    /// both layouts of A, padded leading dimensions, 1 and 2 threads. The last shape's B is over
    /// twice the L2, so that every worker's slice streams (short depth blocks, and one row of C
    /// through the four-row loop on 8-lane vectors); k = 263 ends in a partial block.
    @Test("row-streaming path below MR rows", arguments: kernels.map(\.name), [1, 2])
    func rowStreamingPath(_ name: String, threads: Int) throws {
        let kernel = try #require(GemmMicrokernels.named(name))
        var rng = SplitMix64(seed: 314 + UInt64(threads))
        let l2Floats = Topology.current.l2.sizeBytes / MemoryLayout<Float>.stride
        let streamingColumns = 2 * l2Floats / 263 + 37
        let shapes = [(1, 1), (8, 4), (13, 3), (17, 5), (64, 5), (67, 8), (129, 9), (143, 1), (40, 17), (300, 6), (37, 131), (20, 260),
                      (streamingColumns, 263)]
        for m in 1..<kernel.mr {
            for (index, (n, k)) in shapes.enumerated() {
                for transA in [Transpose.none, .transposed] {
                    let (alpha, beta): (Float, Float) = [(1, 0), (-0.5, 1.5), (2, 1), (0.5, 0)][(m + index) % 4]
                    let testCase = GemmCase(transA: transA, transB: .none, m: m, n: n, k: k, alpha: alpha, beta: beta,
                                            padding: [3, 0, 7][index % 3], rng: &rng)
                    let result = try testCase.run { kernel.packedGemm($0, threads: threads, minimumFlopsPerExtraWorker: 0) }
                    testCase.check(result, "\(name) row-streaming threads=\(threads)")
                }
            }
        }
    }

    @Test("a larger problem with default blocking on 2 threads")
    func largerThreaded() throws {
        var rng = SplitMix64(seed: 2024)
        // 131 rows are one MC block of A, so the workers split B's micro-panels; 300 rows are
        // more than one, so they split the rows. K = 300 is two KC slices either way.
        for m in [131, 300] {
            for (transA, transB) in [(Transpose.none, Transpose.none), (.transposed, .transposed)] {
                let testCase = GemmCase(transA: transA, transB: transB, m: m, n: 149, k: 300, alpha: 1, beta: 0.5,
                                        padding: 5, rng: &rng)
                let result = try testCase.run { Gemm.run($0, variant: .packed, threads: 2) }
                testCase.check(result, "packed default blocking m=\(m) threads=2")
            }
        }
    }
}

@Suite("GEMM input validation")
struct GemmValidationTests {
    func call(m: Int = 2, n: Int = 3, k: Int = 4, lda: Int = 4, ldb: Int = 3, ldc: Int = 3,
              aCount: Int = 8, bCount: Int = 12, cCount: Int = 6, transA: Transpose = .none,
              threads: Int = 1) throws {
        let a = [Float](repeating: 1, count: aCount), b = [Float](repeating: 1, count: bCount)
        var c = [Float](repeating: 0, count: cCount)
        try a.withUnsafeBufferPointer { a in
            try b.withUnsafeBufferPointer { b in
                try c.withUnsafeMutableBufferPointer { c in
                    try Gemm.compute(transA: transA, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                                     c: c, ldc: ldc, threads: threads)
                }
            }
        }
    }

    @Test func acceptsAValidCall() throws { try call() }

    @Test func namesTheBadDimension() {
        #expect(throws: KernelError.invalidDimension(dimension: "M", expected: ">= 0", got: -1)) { try call(m: -1) }
        #expect(throws: KernelError.invalidDimension(dimension: "lda", expected: ">= 4", got: 3)) { try call(lda: 3) }
        #expect(throws: KernelError.invalidDimension(dimension: "lda", expected: ">= 2", got: 1)) {
            try call(lda: 1, transA: .transposed)
        }
        #expect(throws: KernelError.invalidDimension(dimension: "ldc", expected: ">= 3", got: 2)) { try call(ldc: 2) }
        #expect(throws: KernelError.invalidDimension(dimension: "threads", expected: ">= 1", got: 0)) { try call(threads: 0) }
    }

    @Test func namesTheShortBuffer() {
        #expect(throws: KernelError.bufferTooSmall(buffer: "A", needed: 8, got: 7)) { try call(aCount: 7) }
        #expect(throws: KernelError.bufferTooSmall(buffer: "B", needed: 12, got: 11)) { try call(bCount: 11) }
        #expect(throws: KernelError.bufferTooSmall(buffer: "C", needed: 6, got: 5)) { try call(cCount: 5) }
    }

    @Test func zeroSizedOperandsAreFine() throws {
        try call(m: 0, aCount: 0, cCount: 0)
        try call(k: 0, lda: 1, aCount: 0, bCount: 0)
    }

    @Test func errorMessagesSayExpectedAndGot() {
        let error = KernelError.invalidDimension(dimension: "lda", expected: ">= 4", got: 3)
        #expect(error.description == "lda: expected >= 4, got 3")
    }
}
