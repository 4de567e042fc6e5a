/// A multilayer perceptron's forward pass, `h[i+1] = f_i(h[i] * W[i] + b[i])`, ending in a
/// row-wise softmax (classification) or the last layer's own activation (regression: identity).
///
/// Weights are packed once when the network is built, and the two activation buffers are
/// allocated once for the largest batch, so a forward pass allocates nothing.
public final class MLP: @unchecked Sendable {
    public struct Layer: Sendable {
        public var weights: DenseWeights
        public var activation: Activation
        public init(weights: DenseWeights, activation: Activation) {
            self.weights = weights
            self.activation = activation
        }
    }

    public let layers: [Layer]
    public let softmaxOutput: Bool
    public let maxBatch: Int
    public let threads: Int
    /// Ping-pong buffers for the hidden activations, each `maxBatch x widest hidden layer`.
    private let hidden: [AlignedFloatBuffer]

    public var inputs: Int { layers.first?.weights.inputs ?? 0 }
    public var outputs: Int { layers.last?.weights.outputs ?? 0 }

    public init(layers: [Layer], softmaxOutput: Bool, maxBatch: Int, threads: Int = 1) throws {
        guard !layers.isEmpty else {
            throw KernelError.invalidDimension(dimension: "MLP layers", expected: ">= 1", got: 0)
        }
        try KernelError.checkNonNegative("MLP maxBatch", maxBatch)
        if threads < 1 { throw KernelError.invalidDimension(dimension: "threads", expected: ">= 1", got: threads) }
        for (index, pair) in zip(layers, layers.dropFirst()).enumerated() where pair.0.weights.outputs != pair.1.weights.inputs {
            throw KernelError.shapeMismatch(
                what: "layer \(index + 1) (\(pair.1.weights.layer)): inputs, which must equal the outputs of layer \(index) (\(pair.0.weights.layer))",
                expected: "\(pair.0.weights.outputs)", got: "\(pair.1.weights.inputs)")
        }
        self.layers = layers
        self.softmaxOutput = softmaxOutput
        self.maxBatch = maxBatch
        self.threads = threads
        let widest = layers.dropLast().map(\.weights.outputs).max() ?? 0
        hidden = layers.count > 1 ? [AlignedFloatBuffer(count: maxBatch * widest), AlignedFloatBuffer(count: maxBatch * widest)] : []
    }

    deinit { for buffer in hidden { buffer.deallocate() } }

    /// Runs the network on `batch` rows of `input` (`batch x inputs`) into `output` (`batch x outputs`).
    public func forward(input: UnsafeBufferPointer<Float>, batch: Int, output: UnsafeMutableBufferPointer<Float>) throws {
        if batch > maxBatch {
            throw KernelError.invalidDimension(dimension: "MLP batch", expected: "<= maxBatch \(maxBatch)", got: batch)
        }
        // Validated here, before any layer runs, so a bad call leaves the buffers untouched.
        try Dense.validateActivations(input: input, output: output, batch: batch, inputs: inputs, outputs: outputs,
                                      threads: threads, layer: "0 (\(layers[0].weights.layer))")
        var current = input
        for (index, layer) in layers.enumerated() {
            let isLast = index == layers.count - 1
            let destination = isLast ? output
                : UnsafeMutableBufferPointer(start: hidden[index % 2].pointer, count: batch * layer.weights.outputs)
            try Dense.forward(input: current, batch: batch, weights: layer.weights, activation: layer.activation,
                              output: destination, threads: threads)
            current = UnsafeBufferPointer(destination)
        }
        if softmaxOutput {
            try Activations.softmax(rows: batch, columns: outputs, input: UnsafeBufferPointer(output),
                                    inputStride: max(1, outputs), output: output, outputStride: max(1, outputs))
        }
    }

    /// FLOPs of one forward pass at `batch` (the GEMMs only).
    public func flops(batch: Int) -> Double {
        layers.reduce(0) { $0 + 2 * Double(batch) * Double($1.weights.inputs) * Double($1.weights.outputs) }
    }
}
