import Foundation
import NNKernels

/// Dense layers `Y = act(X * W + b)` and MLP forward passes. Variants, on the same operands:
/// - `gemm`: the bare packed GEMM `X * W` (no bias, no activation), what a fused layer is held to;
/// - `unfused`: that GEMM, then a bias pass, then an activation pass;
/// - `fused-packing`: one GEMM with the bias and activation in the microkernel's epilogue, W
///   packed inside the call;
/// - `fused`: the same with W packed once, outside the timing (`DenseWeights`);
/// - `openblas`, `onednn`: OpenBLAS's `cblas_sgemm` or oneDNN's `dnnl_sgemm` on the requested
///   threads, then the same two passes on one (how a framework composes BLAS with its elementwise
///   kernels, as PyTorch's `relu(linear(x, W, b))` does); `vs_openblas` and `vs_onednn` on every
///   row are relative to them.
/// FLOPs count the GEMM only (2 M N K).
enum DenseSuite: BenchSuite {
    static let name = "dense"
    static let bareGemmVariant = "gemm"
    static let variants = [bareGemmVariant] + DenseVariant.allCases.map(\.rawValue)
        + [LibraryGemm.openblas, LibraryGemm.onednn].map(\.rawValue)
    static let mlpVariants = [DenseVariant.unfused.rawValue, DenseVariant.fused.rawValue]

    static func workloadDescriptions(quick: Bool) throws -> [String] {
        try shapes(quick: quick).map { "dense \($0)" } + mlpShapes(quick: quick).map { "mlp \($0)" }
    }

    static func shapes(quick: Bool) throws -> [DenseShape] {
        try Workloads.lines(quick ? "dense-quick" : "dense").map { try DenseShape(parsing: $0) }
    }

    static func mlpShapes(quick: Bool) throws -> [MLPShape] {
        try Workloads.lines(quick ? "mlp-quick" : "mlp").map { try MLPShape(parsing: $0) }
    }

    static func cases(_ request: SuiteRequest) throws -> [BenchCase] {
        let adHoc = !request.denseShapes.isEmpty
        let shapes = adHoc ? request.denseShapes : try shapes(quick: request.quick)
        let chosen = { (all: [String]) in request.variants.isEmpty ? all : all.filter(request.variants.contains) }
        var cases: [BenchCase] = []
        for shape in shapes {
            for variant in chosen(variants) {
                for threads in request.threads { cases.append(denseCase(shape, variant: variant, threads: threads)) }
            }
        }
        if !adHoc {
            for shape in try mlpShapes(quick: request.quick) {
                for variant in chosen(mlpVariants) {
                    for threads in request.threads { cases.append(mlpCase(shape, variant: variant, threads: threads)) }
                }
            }
        }
        return cases
    }

    /// The case behind a report row, for `--compare`.
    static func benchCase(row: ReportRow) -> BenchCase? {
        if row.kernel == "mlp" {
            guard mlpVariants.contains(row.variant), let shape = try? MLPShape(parsing: row.shape) else { return nil }
            return mlpCase(shape, variant: row.variant, threads: row.threads)
        }
        guard row.kernel.hasPrefix("dense-"), variants.contains(row.variant),
              let shape = try? DenseShape(parsing: "\(row.shape):\(row.kernel.dropFirst("dense-".count))") else { return nil }
        return denseCase(shape, variant: row.variant, threads: row.threads)
    }

    static func denseCase(_ shape: DenseShape, variant: String, threads: Int) -> BenchCase {
        let (m, n, k) = (shape.gemm.m, shape.gemm.n, shape.gemm.k)
        let activation = Activation(name: shape.activation)!
        return BenchCase(suite: name, kernel: "dense-\(shape.activation)", variant: variant, shape: shape.gemm.description,
                         threads: threads, flops: shape.gemm.flops) {
            let layer = DenseOperands(m: m, n: n, k: k)
            let x = UnsafeBufferPointer(layer.x.buffer), w = UnsafeBufferPointer(layer.w.buffer)
            let bias = UnsafeBufferPointer(layer.bias.buffer), y = layer.y.buffer
            let body: () -> Void
            var packed: DenseWeights?
            switch variant {
            case bareGemmVariant:
                body = {
                    try! Gemm.compute(m: m, n: n, k: k, a: x, lda: max(1, k), b: w, ldb: max(1, n), c: y, ldc: max(1, n),
                                      threads: threads)
                }
            case let name where LibraryGemm(rawValue: name) != nil:
                let library = LibraryGemm(rawValue: name)!
                library.setThreads(threads)
                let problem = try Gemm.validate(transA: .none, transB: .none, m: m, n: n, k: k, alpha: 1, a: x, lda: max(1, k),
                                                b: w, ldb: max(1, n), beta: 0, c: y, ldc: max(1, n))
                body = {
                    library.sgemm(problem)
                    // One thread for the passes: waking this package's worker pool here would
                    // leave it spinning against the library's own threads in the next call.
                    try! Dense.addBiasThenActivate(output: y, batch: m, outputs: n, bias: bias, activation: activation)
                }
            case DenseVariant.fused.rawValue:
                let weights = try DenseWeights(weights: w, inputs: k, outputs: n, bias: bias)
                packed = weights
                body = { try! Dense.forward(input: x, batch: m, weights: weights, activation: activation, output: y, threads: threads) }
            default:
                let denseVariant = DenseVariant(rawValue: BenchInjection.variant(for: variant)) ?? DenseVariant(rawValue: variant)!
                body = {
                    try! Dense.forward(input: x, batch: m, inputs: k, weights: w, outputs: n, bias: bias, activation: activation,
                                       output: y, variant: denseVariant, threads: threads)
                }
            }
            let checked = variant == bareGemmVariant ? Activation.identity : activation
            return PreparedCase(body: body, check: {
                body()
                return DenseCheck.layer(layer, activation: checked, withBias: variant != bareGemmVariant)
            }, release: {
                _ = packed
                packed = nil
                layer.release()
            })
        }
    }

    static func mlpCase(_ shape: MLPShape, variant: String, threads: Int) -> BenchCase {
        BenchCase(suite: name, kernel: "mlp", variant: variant, shape: shape.description, threads: threads,
                  flops: shape.flops) {
            let network = MLPOperands(shape)
            let input = UnsafeBufferPointer(network.input.buffer), output = network.output.buffer
            let body: () -> Void
            if variant == DenseVariant.fused.rawValue {
                let mlp = try network.packed(threads: threads)
                body = { try! mlp.forward(input: input, batch: shape.batch, output: output) }
            } else {
                body = { network.runUnfused(threads: threads) }
            }
            return PreparedCase(body: body, check: {
                body()
                return DenseCheck.mlp(network)
            }, release: network.release)
        }
    }
}
