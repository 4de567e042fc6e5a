import Testing
@testable import NNKernels

/// Two workers that split the rows each run the one-worker product over their own share
/// (`PackedGemmSchedule.rowSharesRunAlone`): shares of unequal micro-panel counts, several
/// blocks of rows, column blocks and k slices within a share, the last micro-panel partial,
/// per-row bias offset to the share's rows.
@Suite("GEMM with rows shared out to workers that run alone")
struct GemmRowSharesTests {
    @Test("which schedules run their row shares alone")
    func scheduleDecision() {
        let blocking = GemmBlocking(mc: 48, kc: 8, nc: 320)
        func schedule(m: Int, n: Int, workers: Int, bReadable: Bool = true, packsB: Bool = true) -> PackedGemmSchedule {
            PackedGemmSchedule(m: m, n: n, k: 30, mr: 12, nr: 32, blocking: blocking, requestedWorkers: workers,
                               minimumFlopsPerExtraWorker: 0, packsB: packsB, bReadableInPlace: bReadable,
                               aReadableInPlace: true)
        }
        let alone = schedule(m: 500, n: 200, workers: 2)
        #expect(alone.split == .rows && alone.rowSharesRunAlone)
        // One worker, B transposed (packed in phases), B packed beforehand, A read in place
        // (B of at most four micro-panels) or a split of B's micro-panels: the shared schedule.
        #expect(!schedule(m: 500, n: 200, workers: 1).rowSharesRunAlone)
        #expect(!schedule(m: 500, n: 200, workers: 2, bReadable: false).rowSharesRunAlone)
        #expect(!schedule(m: 500, n: 200, workers: 2, packsB: false).rowSharesRunAlone)
        let inPlace = schedule(m: 500, n: 64, workers: 2)
        #expect(inPlace.readsAInPlace && !inPlace.rowSharesRunAlone)
        let columns = schedule(m: 40, n: 2000, workers: 2)
        #expect(columns.split == .columns && !columns.rowSharesRunAlone)
    }

    @Test("against the reference, every microkernel, with biases and activations", arguments: GemmDriverTests.kernels.map(\.name))
    func againstReference(_ name: String) throws {
        let kernel = try #require(GemmMicrokernels.named(name))
        let blocking = GemmBlocking(mc: 2 * kernel.mr, kc: 8, nc: 5 * kernel.nr)
        var rng = SplitMix64(seed: 0x5A4E)
        // Micro-panels 11 (shares 6 + 5, the last panel short), 9 (5 + 4: two blocks of rows
        // and a part block each) and 17 (9 + 8, the last panel one row). Fewer than 8 would
        // split B's micro-panels instead.
        let ms = [11 * kernel.mr - 3, 9 * kernel.mr, 16 * kernel.mr + 1]
        var index = 0
        for m in ms {
            for (n, k) in [(11 * kernel.nr + 5, 29), (5 * kernel.nr, 8), (6 * kernel.nr - 1, 1)] {
                let schedule = PackedGemmSchedule(m: m, n: n, k: k, mr: kernel.mr, nr: kernel.nr, blocking: blocking,
                                                  requestedWorkers: 2, minimumFlopsPerExtraWorker: 0,
                                                  bReadableInPlace: true, aReadableInPlace: true)
                try #require(schedule.rowSharesRunAlone, "\(name): \(m) x \(n) x \(k) should run its row shares alone")
                for transA in [Transpose.none, .transposed] {
                    index += 1
                    let (alpha, beta): (Float, Float) = [(1, 0), (-0.5, 1.5), (2, 1)][index % 3]
                    let testCase = GemmCase(transA: transA, transB: .none, m: m, n: n, k: k, alpha: alpha, beta: beta,
                                            padding: 3, rng: &rng)
                    let activation = Activation.all[index % Activation.all.count]
                    let bias: [Float]? = index % 3 == 0 ? nil : .random(count: n, in: -2...2, using: &rng)
                    let rowBias: [Float]? = index % 2 == 0 ? .random(count: m, in: -2...2, using: &rng) : nil
                    let result = try testCase.run { problem in
                        (bias ?? []).withUnsafeBufferPointer { biasPointer in
                            (rowBias ?? []).withUnsafeBufferPointer { rowBiasPointer in
                                kernel.packedGemm(problem, threads: 2, blocking: blocking, minimumFlopsPerExtraWorker: 0,
                                                  epilogue: GemmEpilogue(bias: bias == nil ? nil : biasPointer.baseAddress,
                                                                         rowBias: rowBias == nil ? nil : rowBiasPointer.baseAddress,
                                                                         activation: activation))
                            }
                        }
                    }
                    let reference = FusedReference(testCase.reference, n: n, bias: bias, rowBias: rowBias, activation: activation)
                    let mismatch = reference.firstMismatch(result, n: n, ldc: testCase.ldc)
                    #expect(mismatch == nil, "\(name) \(testCase) \(activation) bias=\(bias != nil) rowBias=\(rowBias != nil) \(blocking): \(mismatch ?? "")")
                }
            }
        }
    }
}
