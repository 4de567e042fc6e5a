import Foundation

/// One microkernel as the driver, the tests and the benchmarks see it. XNNPACK-style names:
/// type, operation, MR x NR, instruction set, vector type.
public struct GemmMicrokernelDescriptor: Sendable, CustomStringConvertible {
    public let name: String
    public let mr: Int
    public let nr: Int
    public let requirement: CPURequirement
    /// Where its micro-panels are read from, which sets its block sizes.
    public let residency: PanelResidency
    /// The bare microkernel: kc, packed A, packed B, C, ldc, alpha, beta, epilogue.
    public let microkernel: @Sendable (Int, UnsafePointer<Float>, UnsafePointer<Float>,
                                       UnsafeMutablePointer<Float>, Int, Float, Float, TileEpilogue) -> Void
    /// Columns of `narrowMicrokernel`'s tile: one vector.
    public let narrowColumns: Int
    /// The microkernel's first `narrowColumns` columns only, over the same packed micro-panels
    /// (`GemmMicrokernel.runNarrow`, for a last micro-panel of B with that few live columns).
    public let narrowMicrokernel: @Sendable (Int, UnsafePointer<Float>, UnsafePointer<Float>,
                                             UnsafeMutablePointer<Float>, Int, Float, Float, TileEpilogue) -> Void
    /// The packed driver specialized for this microkernel: problem, threads, blocking,
    /// smallest FLOP count worth a second worker, epilogue (bias padded), prepacked B, prepacked A.
    let driver: @Sendable (GemmProblem, Int, GemmBlocking, Double, GemmEpilogue, PrepackedPanels?, PrepackedPanels?) -> Void
    /// `RowStreamGemm` for fewer rows than this microkernel's MR, on its vector type: problem,
    /// threads, smallest FLOP count worth a second worker, epilogue.
    let rowStream: @Sendable (GemmProblem, Int, Double, GemmEpilogue) -> Void
    /// Direct convolution on this microkernel's register tile (at most 8 rows of it): shape,
    /// OIHW weights, bias.
    let directConvolution: @Sendable (ConvolutionShape, UnsafePointer<Float>, UnsafePointer<Float>?) -> DirectConvolutionPlan
    /// Runs every tile this microkernel's kernels use once (`TileLayoutWarmUp`).
    let warmUpTiles: @Sendable () -> Void

    init<let MR: Int, let NV: Int, Vector: SIMD & SendableMetatype>(_ kernel: SIMDGemmMicrokernel<MR, NV, Vector>.Type, name: String,
                                                 requirement: CPURequirement, residency: PanelResidency = .l1) where Vector.Scalar == Float {
        typealias Kernel = SIMDGemmMicrokernel<MR, NV, Vector>
        self.name = name
        mr = Kernel.mr
        nr = Kernel.nr
        self.requirement = requirement
        self.residency = residency
        // Direct convolution keeps one input pointer per tile row in registers and loads through
        // it at every step: past 8 rows LLVM no longer unrolls the row loop, and the 12-row tile
        // ran with its accumulators in memory at a quarter of the 8-row tile's speed. Sixteen
        // accumulators still cover the FMA latency.
        if MR > Kernel.largestRowsReadInPlace {
            directConvolution = { DirectConvolutionPlan(DirectConvolution<8, NV, Vector>($0, weights: $1, bias: $2, residency: residency)) }
        } else {
            directConvolution = { DirectConvolutionPlan(DirectConvolution<MR, NV, Vector>($0, weights: $1, bias: $2, residency: residency)) }
        }
        microkernel = {
            TileLayoutWarmUp.ensure()
            Kernel.run(kc: $0, a: $1, b: $2, c: $3, ldc: $4, alpha: $5, beta: $6, epilogue: $7)
        }
        narrowColumns = Kernel.narrowColumns
        narrowMicrokernel = {
            TileLayoutWarmUp.ensure()
            Kernel.runNarrow(kc: $0, a: $1, b: $2, c: $3, ldc: $4, alpha: $5, beta: $6, epilogue: $7)
        }
        warmUpTiles = { TileLayoutWarmUp.run(Kernel.self) }
        rowStream = { RowStreamGemm.run($0, kernel: Kernel.self, threads: $1, minimumFlopsPerExtraWorker: $2, epilogue: $3) }
        driver = { problem, threads, blocking, minimumFlops, epilogue, prepackedB, prepackedA in
            if let prepackedB, problem.m < Kernel.mr, prepackedA == nil {
                ShortPanelGemm<Kernel>.run(problem, panels: prepackedB, threads: threads, minimumFlopsPerExtraWorker: minimumFlops,
                                           epilogue: epilogue)
            } else {
                PackedGemmDriver<Kernel>.run(problem, threads: threads, blocking: blocking, minimumFlopsPerExtraWorker: minimumFlops,
                                             epilogue: epilogue, prepackedB: prepackedB, prepackedA: prepackedA,
                                             bPanelsInL1: residency == .l1)
            }
        }
    }

    public var isSupported: Bool { requirement.isMet }

    /// Block sizes for this microkernel on `topology`.
    public func blocking(for topology: Topology = .current) -> GemmBlocking {
        GemmBlocking.derived(mr: mr, nr: nr, topology: topology, residency: residency)
    }

    /// The production GEMM: the packed driver around this microkernel, or, for fewer rows than
    /// one micro-panel, `RowStreamGemm`, which does not pack. Block sizes come from the machine's
    /// caches and the threading threshold from `Tuning` unless given (tests shrink both to reach
    /// every path). The epilogue's bias, if any, holds n values.
    public func packedGemm(_ problem: GemmProblem, threads: Int, blocking: GemmBlocking? = nil,
                           minimumFlopsPerExtraWorker: Double = Tuning.minimumFlopsPerExtraWorker,
                           epilogue: GemmEpilogue = .none) {
        if problem.completedWithoutProducts() {
            epilogue.apply(rows: problem.m, columns: 0..<problem.n, c: problem.c, ldc: problem.ldc)
            return
        }
        if RowStreamGemm.applies(problem, mr: mr) {
            rowStream(problem, threads, minimumFlopsPerExtraWorker, epilogue)
            return
        }
        withPaddedBias(epilogue, m: problem.m, n: problem.n) { epilogue in
            driver(problem, threads, blocking ?? self.blocking(), minimumFlopsPerExtraWorker, epilogue, nil, nil)
        }
    }

    /// The same with op(B) packed beforehand (`DenseWeights`, whose bias is already padded; no row
    /// bias), and op(A) too when `prepackedA` is given (MR-row panels of the full depth; `problem.a`
    /// is then not read).
    func packedGemm(_ problem: GemmProblem, prepackedA: PrepackedPanels? = nil, prepackedB: PrepackedPanels, threads: Int,
                    blocking: GemmBlocking? = nil, minimumFlopsPerExtraWorker: Double = Tuning.minimumFlopsPerExtraWorker,
                    epilogue: GemmEpilogue) {
        if problem.completedWithoutProducts() {
            epilogue.apply(rows: problem.m, columns: 0..<problem.n, c: problem.c, ldc: problem.ldc)
            return
        }
        driver(problem, threads, blocking ?? self.blocking(), minimumFlopsPerExtraWorker, epilogue, prepackedB, prepackedA)
    }

    /// The epilogue with its biases copied into zero-padded buffers of whole micro-panels, so
    /// the microkernel reads NR (or MR) bias values for an edge tile without reading past the caller's.
    private func withPaddedBias(_ epilogue: GemmEpilogue, m: Int, n: Int, _ body: (GemmEpilogue) -> Void) {
        if epilogue.bias == nil && epilogue.rowBias == nil {
            body(epilogue)
            return
        }
        let columns = (n + nr - 1) / nr * nr, rows = (m + mr - 1) / mr * mr
        let padded = AlignedFloatBuffer(zeroedCount: columns + rows)
        defer { padded.deallocate() }
        var result = epilogue
        if let bias = epilogue.bias {
            padded.pointer.update(from: bias, count: n)
            result.bias = UnsafePointer(padded.pointer)
        }
        if let rowBias = epilogue.rowBias {
            (padded.pointer + columns).update(from: rowBias, count: m)
            result.rowBias = UnsafePointer(padded.pointer + columns)
        }
        body(result)
    }

    public var description: String { "\(name) (MR=\(mr), NR=\(nr), needs \(requirement.rawValue))" }
}

/// Every GEMM microkernel, in order of preference: the first one the CPU supports is used.
public enum GemmMicrokernels {
    public static let all: [GemmMicrokernelDescriptor] = [
        // AVX-512: 24 zmm accumulators, 2 for B, 1 broadcast of A.
        GemmMicrokernelDescriptor(SIMDGemmMicrokernel<12, 2, SIMD16<Float>>.self,
                                  name: "f32-gemm-12x32-fma-simd16", requirement: .avx512F, residency: .l2),
        // AVX2: 12 ymm accumulators, 2 for B, 1 broadcast; 6 cycles of FMAs per k step hide the
        // 4-cycle FMA latency on two pipes (BLIS's Haswell and Zen shape).
        GemmMicrokernelDescriptor(SIMDGemmMicrokernel<6, 2, SIMD8<Float>>.self,
                                  name: "f32-gemm-6x16-fma-simd8", requirement: .avx2FMA),
        GemmMicrokernelDescriptor(SIMDGemmMicrokernel<4, 3, SIMD8<Float>>.self,
                                  name: "f32-gemm-4x24-fma-simd8", requirement: .avx2FMA),
        // Any CPU with 128-bit vectors (SSE, NEON): correct everywhere, tuned nowhere.
        GemmMicrokernelDescriptor(SIMDGemmMicrokernel<4, 2, SIMD4<Float>>.self,
                                  name: "f32-gemm-4x8-simd4", requirement: .none),
    ]

    /// The first supported microkernel, unless `NNK_GEMM_MICROKERNEL` names another supported one.
    public static let preferred: GemmMicrokernelDescriptor = {
        if let name = ProcessInfo.processInfo.environment["NNK_GEMM_MICROKERNEL"],
           let kernel = named(name), kernel.isSupported {
            return kernel
        }
        return all.first { $0.isSupported }!
    }()

    public static func named(_ name: String) -> GemmMicrokernelDescriptor? {
        all.first { $0.name == name }
    }
}
