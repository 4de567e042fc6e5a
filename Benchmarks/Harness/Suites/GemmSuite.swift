import Foundation
import NNKernels

/// GEMM from the naive loop to the packed multithreaded kernel, beside OpenBLAS, oneDNN and
/// BLIS in the same run (`LibraryGemm`).
enum GemmSuite: BenchSuite {
    static let name = "gemm"
    static let variants = GemmVariant.allCases.map(\.rawValue) + LibraryGemm.allCases.map(\.rawValue)
    /// The naive loop takes seconds per call above this; larger problems skip it.
    static let naiveFlopLimit = 2.2e9

    static func workloadFile(quick: Bool) -> String { quick ? "gemm-quick" : "gemm" }

    static func workloadDescriptions(quick: Bool) throws -> [String] {
        try Workloads.gemmShapes(workloadFile(quick: quick)).map(\.description)
    }

    static func isMultithreaded(_ variant: String) -> Bool {
        variant == GemmVariant.packed.rawValue || LibraryGemm(rawValue: variant) != nil
    }

    /// The variants asked for (all when none was named), less the libraries that cannot be
    /// loaded here: asked for by name, such a library is an error; in the default list, a note.
    static func chosenVariants(_ all: [String], requested: [String]) throws -> [String] {
        var chosen: [String] = []
        for variant in requested.isEmpty ? all : all.filter(requested.contains) {
            if let reason = LibraryGemm(rawValue: variant)?.unavailableReason() {
                if !requested.isEmpty { throw UsageError("variant \(variant): \(reason)") }
                FileHandle.standardError.write(Data("note: variant \(variant) skipped: \(reason)\n".utf8))
                continue
            }
            chosen.append(variant)
        }
        return chosen
    }

    static func cases(_ request: SuiteRequest) throws -> [BenchCase] {
        let shapes = request.adHocOnly ? request.gemmShapes : try Workloads.gemmShapes(workloadFile(quick: request.quick))
        let variants = try chosenVariants(Self.variants, requested: request.variants)
        var cases: [BenchCase] = []
        // The microkernel's own ceiling, before the GEMMs built on it (not for ad hoc shapes).
        if !request.adHocOnly, request.threads.contains(1), variants.contains(GemmVariant.packed.rawValue) {
            cases.append(MicrokernelCase.benchCase())
        }
        for shape in shapes {
            for variant in variants {
                if variant == GemmVariant.naive.rawValue && shape.flops > naiveFlopLimit { continue }
                for threads in request.threads where threads == 1 || isMultithreaded(variant) {
                    cases.append(gemmCase(shape, variant: variant, threads: threads))
                }
            }
        }
        return cases
    }

    /// Below this batch a GEMM is bound by streaming the weights (B), not by arithmetic: its rows
    /// also report GB/s of the bytes of A, B and C moved once.
    static let memoryBoundRows = 16

    static func gemmCase(_ shape: GemmShape, variant: String, threads: Int) -> BenchCase {
        let bytes = shape.m < memoryBoundRows
            ? Double(MemoryLayout<Float>.size * (shape.m * shape.k + shape.k * shape.n + shape.m * shape.n)) : 0
        return BenchCase(suite: name, kernel: "sgemm", variant: variant, shape: shape.description, threads: threads,
                         flops: shape.flops, bytes: bytes) {
            let operands = GemmOperands(shape)
            let problem = operands.problem
            let body: () -> Void
            if let library = LibraryGemm(rawValue: variant) {
                library.setThreads(threads)
                body = { library.sgemm(problem) }
            } else {
                let gemmVariant = GemmVariant(rawValue: BenchInjection.variant(for: variant)) ?? GemmVariant(rawValue: variant)!
                body = { Gemm.run(problem, variant: gemmVariant, threads: threads) }
            }
            return PreparedCase(body: body,
                                check: {
                                    body()
                                    return GemmCheck.check(problem)
                                },
                                release: operands.release)
        }
    }
}

/// Random operands for one GEMM shape, C = A * B with alpha 1 and beta 0.
struct GemmOperands {
    let a: AlignedFloatBuffer, b: AlignedFloatBuffer, c: AlignedFloatBuffer
    let problem: GemmProblem

    init(_ shape: GemmShape) {
        a = AlignedFloatBuffer(count: shape.m * shape.k)
        b = AlignedFloatBuffer(count: shape.k * shape.n)
        c = AlignedFloatBuffer(count: shape.m * shape.n)
        var state: UInt32 = 12345
        a.fillUniform(&state)
        b.fillUniform(&state)
        c.pointer.update(repeating: 0, count: c.count)
        problem = try! Gemm.validate(transA: .none, transB: .none, m: shape.m, n: shape.n, k: shape.k, alpha: 1,
                                     a: UnsafeBufferPointer(a.buffer), lda: max(1, shape.k),
                                     b: UnsafeBufferPointer(b.buffer), ldb: max(1, shape.n), beta: 0,
                                     c: c.buffer, ldc: max(1, shape.n))
    }

    func release() {
        a.deallocate()
        b.deallocate()
        c.deallocate()
    }
}
