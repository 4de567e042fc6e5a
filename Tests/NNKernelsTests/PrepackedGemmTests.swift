import Testing
@testable import NNKernels

/// The packed driver on operands packed beforehand, as dense layers (B) and the channels-last
/// im2col (A and B) call it. Small blocks give several row blocks and k slices, which the
/// production block sizes reach only on large layers: with B prepacked, a chunk takes its rows
/// through every k slice in turn.
@Suite("GEMM driver on prepacked operands")
struct PrepackedGemmTests {
    @Test("prepacked B, and A, with small blocks on 1 and 2 threads", arguments: GemmDriverTests.kernels.map(\.name), [1, 2])
    func prepackedSmallBlocks(_ name: String, threads: Int) throws {
        let kernel = try #require(GemmMicrokernels.named(name))
        let blockings = GemmDriverTests.smallBlockings(for: kernel)
        for (index, testCase) in GemmDriverTests.randomCases(count: 45, seed: 900 + UInt64(threads), maxSize: 60).enumerated() {
            let blocking = blockings[index % blockings.count]
            let packsA = index % 2 == 1
            let result = try testCase.run { problem in
                let (mr, nr) = (kernel.mr, kernel.nr)
                let depth = max(1, problem.k)
                let bPanels = (problem.n + nr - 1) / nr, aPanels = (problem.m + mr - 1) / mr
                let packedB = AlignedFloatBuffer(count: max(1, bPanels * depth * nr))
                let packedA = AlignedFloatBuffer(count: max(1, aPanels * depth * mr))
                defer {
                    packedB.deallocate()
                    packedA.deallocate()
                }
                for panel in 0..<bPanels {
                    GemmPacking.packBPanel(problem, nr: nr, p0: 0, kc: problem.k, j: panel * nr,
                                           into: packedB.pointer + panel * problem.k * nr)
                }
                // Full-depth A micro-panels are one block of packA's layout.
                if packsA && problem.m > 0 && problem.k > 0 {
                    GemmPacking.packA(problem, mr: mr, i0: 0, rows: problem.m, p0: 0, kc: problem.k, into: packedA.pointer)
                }
                kernel.packedGemm(problem,
                                  prepackedA: packsA ? PrepackedPanels(pointer: packedA.pointer, k: problem.k, width: mr) : nil,
                                  prepackedB: PrepackedPanels(pointer: packedB.pointer, k: problem.k, width: nr),
                                  threads: threads, blocking: blocking, minimumFlopsPerExtraWorker: 0, epilogue: .none)
            }
            testCase.check(result, "\(name) MRxNR=\(kernel.mr)x\(kernel.nr) \(blocking) prepacked A=\(packsA) threads=\(threads)")
        }
    }

    /// Fewer rows than one micro-panel (`ShortPanelGemm`) against B of four to ten micro-panels,
    /// the last one whole or of few live columns; beta 0 and not; with the threshold at zero,
    /// two workers splitting the panels. The random cases above reach two panels at most.
    @Test("few rows over many prepacked micro-panels of B, 1 and 2 threads", arguments: GemmDriverTests.kernels.map(\.name), [1, 2])
    func fewRowsOverManyPanels(_ name: String, threads: Int) throws {
        let kernel = try #require(GemmMicrokernels.named(name))
        let nr = kernel.nr
        var rng = SplitMix64(seed: 77 + UInt64(threads))
        var index = 0
        for m in 1...min(4, kernel.mr - 1) {
            for n in [4 * nr, 4 * nr + 5, 9 * nr + 3] {
                for k in [1, 7, 40] {
                    let (alpha, beta): (Float, Float) = index % 3 == 2 ? (-1.5, 0.5) : (index % 2 == 0 ? 1 : 0.5, 0)
                    let testCase = GemmCase(transA: index % 2 == 0 ? .none : .transposed, transB: index % 4 < 2 ? .none : .transposed,
                                            m: m, n: n, k: k, alpha: alpha, beta: beta, padding: [0, 1, 3][index % 3], rng: &rng)
                    index += 1
                    let result = try testCase.run { problem in
                        let panels = (problem.n + nr - 1) / nr
                        let packedB = AlignedFloatBuffer(count: panels * problem.k * nr)
                        defer { packedB.deallocate() }
                        for panel in 0..<panels {
                            GemmPacking.packBPanel(problem, nr: nr, p0: 0, kc: problem.k, j: panel * nr,
                                                   into: packedB.pointer + panel * problem.k * nr)
                        }
                        kernel.packedGemm(problem, prepackedB: PrepackedPanels(pointer: packedB.pointer, k: problem.k, width: nr),
                                          threads: threads, minimumFlopsPerExtraWorker: 0, epilogue: .none)
                    }
                    testCase.check(result, "\(name) m=\(m) n=\(n) k=\(k) threads=\(threads)")
                }
            }
        }
    }
}
