/// Dense (fully connected) layers, `Y = act(X * W + b)`: X is `batch x inputs`, W maps inputs to
/// outputs, b has one value per output, Y is `batch x outputs`; all row-major and contiguous.
public enum Dense {
    /// The fused layer with weights packed beforehand (variant `fused`).
    public static func forward(input: UnsafeBufferPointer<Float>, batch: Int, weights: DenseWeights,
                               activation: Activation, output: UnsafeMutableBufferPointer<Float>,
                               threads: Int = 1) throws {
        try validateActivations(input: input, output: output, batch: batch, inputs: weights.inputs,
                                outputs: weights.outputs, threads: threads, layer: weights.layer)
        let problem = activationsProblem(input: input, batch: batch, inputs: weights.inputs,
                                         outputs: weights.outputs, output: output)
        weights.microkernel.packedGemm(problem, prepackedB: weights.panels, threads: threads,
                                       epilogue: GemmEpilogue(bias: weights.bias, activation: activation))
    }

    /// The layer from unpacked weights: `fused-packing` (one GEMM with the epilogue, W packed in
    /// the call), `unfused` (GEMM, bias pass, activation pass), or `fused` (W packed into a
    /// temporary `DenseWeights` first: the same work as `fused-packing`).
    public static func forward(input: UnsafeBufferPointer<Float>, batch: Int, inputs: Int,
                               weights: UnsafeBufferPointer<Float>, layout: Transpose = .none, outputs: Int,
                               bias: UnsafeBufferPointer<Float>?, activation: Activation,
                               output: UnsafeMutableBufferPointer<Float>, variant: DenseVariant = .fusedPacking,
                               threads: Int = 1, layer: String = "dense") throws {
        try validateWeights(weights: weights, inputs: inputs, outputs: outputs, bias: bias, layer: layer)
        try validateActivations(input: input, output: output, batch: batch, inputs: inputs, outputs: outputs,
                                threads: threads, layer: layer)
        switch variant {
        case .fused:
            let packed = try DenseWeights(weights: weights, layout: layout, inputs: inputs, outputs: outputs,
                                          bias: bias, layer: layer)
            try forward(input: input, batch: batch, weights: packed, activation: activation, output: output,
                        threads: threads)
        case .fusedPacking:
            let problem = layerProblem(input: input, batch: batch, inputs: inputs, weights: weights, layout: layout,
                                       outputs: outputs, output: output)
            GemmMicrokernels.preferred.packedGemm(problem, threads: threads,
                                                  epilogue: GemmEpilogue(bias: bias?.baseAddress, activation: activation))
        case .unfused:
            let problem = layerProblem(input: input, batch: batch, inputs: inputs, weights: weights, layout: layout,
                                       outputs: outputs, output: output)
            Gemm.run(problem, variant: .packed, threads: threads)
            separatePasses(problem.c, rows: batch, columns: outputs, bias: bias?.baseAddress, activation: activation,
                           threads: threads)
        }
    }

    /// The unfused epilogue on its own: over `output` (`batch x outputs`, holding X * W), one
    /// pass adding the bias, then one applying the activation, rows split among the workers.
    /// This is what a framework runs after calling BLAS.
    public static func addBiasThenActivate(output: UnsafeMutableBufferPointer<Float>, batch: Int, outputs: Int,
                                           bias: UnsafeBufferPointer<Float>?, activation: Activation,
                                           threads: Int = 1) throws {
        try KernelError.checkNonNegative("batch", batch)
        try KernelError.checkNonNegative("outputs", outputs)
        try KernelError.checkMatrixBuffer("Y", count: output.count, rows: batch, cols: outputs, ld: max(1, outputs))
        if let bias, bias.count != outputs {
            throw KernelError.shapeMismatch(what: "bias length (one per output)", expected: "\(outputs)", got: "\(bias.count)")
        }
        guard let y = output.baseAddress else { return }
        separatePasses(y, rows: batch, columns: outputs, bias: bias?.baseAddress, activation: activation, threads: threads)
    }

    static func separatePasses(_ y: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>?,
                               activation: Activation, threads: Int) {
        if rows == 0 || columns == 0 { return }
        let workers = min(max(1, threads), rows)
        ParallelRegion.run(workers: workers) { worker in
            let range = ParallelRegion.share(of: rows, worker: worker, workers: workers)
            if range.isEmpty { return }
            let block = y + range.lowerBound * columns
            if let bias {
                GemmEpilogue(bias: bias).apply(rows: range.count, columns: 0..<columns, c: block, ldc: columns)
            }
            if activation != .identity {
                Activations.applySIMD(activation, block, block, count: range.count * columns)
            }
        }
    }

    // MARK: - Validation

    static func validateWeights(weights: UnsafeBufferPointer<Float>, inputs: Int, outputs: Int,
                                bias: UnsafeBufferPointer<Float>?, layer: String) throws {
        try KernelError.checkNonNegative("layer \(layer): inputs", inputs)
        try KernelError.checkNonNegative("layer \(layer): outputs", outputs)
        if weights.count < inputs * outputs {
            throw KernelError.bufferTooSmall(buffer: "layer \(layer): W (\(inputs) x \(outputs))",
                                             needed: inputs * outputs, got: weights.count)
        }
        if let bias, bias.count != outputs {
            throw KernelError.shapeMismatch(what: "layer \(layer): bias length (one per output)",
                                            expected: "\(outputs)", got: "\(bias.count)")
        }
    }

    static func validateActivations(input: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>,
                                    batch: Int, inputs: Int, outputs: Int, threads: Int,
                                    layer: @autoclosure () -> String) throws {
        try KernelError.checkNonNegative("layer \(layer()): batch", batch)
        if threads < 1 { throw KernelError.invalidDimension(dimension: "threads", expected: ">= 1", got: threads) }
        try KernelError.checkCount("layer \(layer()): X elements (batch \(batch) x inputs \(inputs))",
                                   expected: batch * inputs, got: input.count)
        try KernelError.checkCount("layer \(layer()): Y elements (batch \(batch) x outputs \(outputs))",
                                   expected: batch * outputs, got: output.count)
    }

    // MARK: - As a GEMM

    /// Y = X * W as a GEMM problem with M = batch, N = outputs, K = inputs; B is unset here.
    static func activationsProblem(input: UnsafeBufferPointer<Float>, batch: Int, inputs: Int, outputs: Int,
                                   output: UnsafeMutableBufferPointer<Float>) -> GemmProblem {
        let empty = UnsafeMutablePointer<Float>(bitPattern: MemoryLayout<Float>.alignment)!
        return GemmProblem(m: batch, n: outputs, k: inputs, alpha: 1, beta: 0,
                           a: input.baseAddress ?? UnsafePointer(empty), lda: max(1, inputs), transA: .none,
                           b: UnsafePointer(empty), ldb: max(1, outputs), transB: .none,
                           c: output.baseAddress ?? empty, ldc: max(1, outputs))
    }

    /// `X * W` as a GEMM problem with W unpacked.
    static func layerProblem(input: UnsafeBufferPointer<Float>, batch: Int, inputs: Int, weights: UnsafeBufferPointer<Float>,
                             layout: Transpose, outputs: Int, output: UnsafeMutableBufferPointer<Float>) -> GemmProblem {
        var problem = activationsProblem(input: input, batch: batch, inputs: inputs, outputs: outputs, output: output)
        let b = weightsAsGemmB(weights, layout: layout, inputs: inputs, outputs: outputs)
        problem.b = b.b
        problem.ldb = b.ldb
        problem.transB = b.transB
        return problem
    }

    /// W as op(B) of a GEMM (k = inputs, n = outputs); A and C are unset.
    static func weightsAsGemmB(_ weights: UnsafeBufferPointer<Float>, layout: Transpose, inputs: Int,
                               outputs: Int) -> GemmProblem {
        let empty = UnsafeMutablePointer<Float>(bitPattern: MemoryLayout<Float>.alignment)!
        return GemmProblem(m: 0, n: outputs, k: inputs, alpha: 1, beta: 0,
                           a: UnsafePointer(empty), lda: 1, transA: .none,
                           b: weights.baseAddress ?? UnsafePointer(empty),
                           ldb: max(1, layout == .none ? outputs : inputs), transB: layout,
                           c: empty, ldc: 1)
    }
}
