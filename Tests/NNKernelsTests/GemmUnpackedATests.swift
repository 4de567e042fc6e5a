import Testing
@testable import NNKernels

/// A read where it lies by the tiles (`PackedGemmSchedule.readsAInPlace`): B of at most four
/// micro-panels, several blocks of rows and k slices, a last short micro-panel of rows (packed),
/// a last partial micro-panel of columns (through the scratch tile), A's rows padded so they
/// sit off cache lines, one worker and two that split rows or columns.
@Suite("GEMM with A read in place")
struct GemmUnpackedATests {
    @Test("against the reference, every microkernel, 1 and 2 workers", arguments: GemmDriverTests.kernels.map(\.name), [1, 2])
    func unpackedA(_ name: String, workers: Int) throws {
        let kernel = try #require(GemmMicrokernels.named(name))
        let blocking = GemmBlocking(mc: 4 * kernel.mr, kc: 8, nc: 10 * kernel.nr)
        var rng = SplitMix64(seed: 5151 + UInt64(workers))
        var inPlace = 0
        for m in [9 * kernel.mr + 2, 40 * kernel.mr + 5, kernel.mr, 4 * kernel.mr, 1] {
            for (n, k) in [(4 * kernel.nr, 29), (kernel.nr - 3, 17), (2 * kernel.nr + 5, 8), (1, 3), (3 * kernel.nr, 1)] {
                let schedule = PackedGemmSchedule(m: m, n: n, k: k, mr: kernel.mr, nr: kernel.nr, blocking: blocking,
                                                  requestedWorkers: workers, minimumFlopsPerExtraWorker: 0,
                                                  bReadableInPlace: true, aReadableInPlace: true)
                // One worker over a single block of rows with B streamed in narrow panels packs
                // A once in full depth instead (`PackedGemmSchedule.prefetchesNextPanel`).
                #expect(schedule.readsAInPlace ? !schedule.packsBOnFirstUse && !schedule.prefetchesNextPanel : schedule.prefetchesNextPanel,
                        "\(name): \(m) x \(n) x \(k) on \(workers) should read A in place")
                if schedule.readsAInPlace { inPlace += 1 }
                let (alpha, beta): (Float, Float) = [(1, 0), (-0.5, 1.5), (2, 1)][(m + n + k) % 3]
                let testCase = GemmCase(transA: .none, transB: [Transpose.none, .transposed][(m + k) % 2], m: m, n: n, k: k,
                                        alpha: alpha, beta: beta, padding: 3, rng: &rng)
                let result = try testCase.run {
                    kernel.packedGemm($0, threads: workers, blocking: blocking, minimumFlopsPerExtraWorker: 0)
                }
                testCase.check(result, "\(name) MRxNR=\(kernel.mr)x\(kernel.nr) \(blocking) workers=\(workers)")
            }
        }
        #expect(inPlace >= 15, "\(name): only \(inPlace) of 25 shapes read A in place")
    }

    /// Only the 12 x 32 AVX-512 tile has a tile of half its rows and twice its vectors (6 x 64,
    /// the same 24 accumulators) to run two micro-panels of B at once reading A in place.
    @Test("the 12 x 32 tile reads A in place over pairs of micro-panels, the others one at a time")
    func panelPairs() {
        #expect(SIMDGemmMicrokernel<12, 2, SIMD16<Float>>.pairsPanelsInPlace)
        #expect(!SIMDGemmMicrokernel<6, 2, SIMD8<Float>>.pairsPanelsInPlace)
        #expect(!SIMDGemmMicrokernel<4, 3, SIMD8<Float>>.pairsPanelsInPlace)
        #expect(!SIMDGemmMicrokernel<4, 2, SIMD4<Float>>.pairsPanelsInPlace)
        #expect(!SIMDGemmMicrokernel<12, 1, SIMD16<Float>>.pairsPanelsInPlace)
    }

    /// A tall A read in place goes in blocks of half MC (whole micro-panels); one block's worth
    /// of rows, or a wider B, keeps MC.
    @Test("a tall A read in place goes in blocks of half MC")
    func halfBlocks() {
        let blocking = GemmBlocking(mc: 48, kc: 8, nc: 320)
        func schedule(m: Int, n: Int, inPlace: Bool = true) -> PackedGemmSchedule {
            PackedGemmSchedule(m: m, n: n, k: 30, mr: 6, nr: 16, blocking: blocking, requestedWorkers: 1,
                               minimumFlopsPerExtraWorker: 0, aReadableInPlace: inPlace)
        }
        #expect(schedule(m: 500, n: 64).mc == 24)
        #expect(schedule(m: 49, n: 64).mc == 24)
        #expect(schedule(m: 48, n: 64).mc == 48)
        #expect(schedule(m: 500, n: 65).mc == 48)
        #expect(schedule(m: 500, n: 64, inPlace: false).mc == 48)
        #expect(schedule(m: 500, n: 64).readsAInPlace)
    }

    /// Where tiles reading A in place find the block they fetch next: the next k slice of the
    /// same rows, the first slice of the next rows, the first block of the chunk two on when
    /// two workers split the rows, and none after the last.
    @Test("tiles reading A in place fetch the block read next")
    func nextBlock() throws {
        let blocking = GemmBlocking(mc: 48, kc: 8, nc: 320)
        let lda = 33
        let one = UnsafeMutablePointer<Float>.allocate(capacity: 1)
        defer { one.deallocate() }
        let p = GemmProblem(m: 500, n: 64, k: 30, alpha: 1, beta: 0, a: one, lda: lda, transA: .none, b: one, ldb: 64,
                            transB: .none, c: one, ldc: 64)
        func schedule(workers: Int) -> PackedGemmSchedule {
            PackedGemmSchedule(m: p.m, n: p.n, k: p.k, mr: 6, nr: 16, blocking: blocking, requestedWorkers: workers,
                               minimumFlopsPerExtraWorker: 0, packsB: false, aReadableInPlace: true)
        }
        typealias Driver = PackedGemmDriver<SIMDGemmMicrokernel<6, 2, SIMD8<Float>>>
        // 21 chunks of one 24-row block each (the last 20 rows); a worker's next chunk is
        // `workers` chunks on.
        func next(workers: Int, chunk: Int, slice: Int) throws -> [Int]? {
            let s = schedule(workers: workers)
            try #require(s.readsAInPlace && s.workers == workers && s.split == .rows && s.mc == 24 && s.kc == 8
                         && s.depthBlocks == 4 && s.computeChunkSize == 24 && s.computeChunks == 21)
            let rows = chunk * 24..<min(p.m, chunk * 24 + 24)
            return Driver.nextBlockOfA(p, s, chunk: chunk, rows: rows, ic: rows.lowerBound, slice: slice, slices: 0..<4)
                .map { [$0.distance, $0.rows] }
        }
        #expect(try next(workers: 1, chunk: 0, slice: 0) == [8, 24])
        #expect(try next(workers: 1, chunk: 0, slice: 3) == [24 * lda - 24, 24])
        #expect(try next(workers: 1, chunk: 19, slice: 3) == [24 * lda - 24, 20])
        #expect(try next(workers: 1, chunk: 20, slice: 2) == [8, 20])
        #expect(try next(workers: 1, chunk: 20, slice: 3) == nil)
        #expect(try next(workers: 2, chunk: 0, slice: 1) == [8, 24])
        #expect(try next(workers: 2, chunk: 0, slice: 3) == [48 * lda - 24, 24])
        #expect(try next(workers: 2, chunk: 18, slice: 3) == [48 * lda - 24, 20])
        #expect(try next(workers: 2, chunk: 19, slice: 3) == nil)
    }

    /// Transposed A cannot be read a row at a time, and B of five micro-panels meets each row of
    /// A often enough to pay for packing it.
    @Test("transposed A and wider B keep packing A")
    func packingRemains() {
        let blocking = GemmBlocking(mc: 48, kc: 8, nc: 320)
        let transposed = PackedGemmSchedule(m: 500, n: 64, k: 30, mr: 6, nr: 16, blocking: blocking, requestedWorkers: 1,
                                            minimumFlopsPerExtraWorker: 0, aReadableInPlace: false)
        let wide = PackedGemmSchedule(m: 500, n: 65, k: 30, mr: 6, nr: 16, blocking: blocking, requestedWorkers: 1,
                                      minimumFlopsPerExtraWorker: 0, aReadableInPlace: true)
        #expect(!transposed.readsAInPlace && !wide.readsAInPlace)
    }
}
