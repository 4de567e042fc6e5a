import NNKernels

/// Random operands of one dense layer; W is scaled by 1/sqrt(K) so pre-activations are of
/// order 1, where sigmoid and GELU are neither saturated nor linear.
struct DenseOperands {
    let m: Int, n: Int, k: Int
    let x: AlignedFloatBuffer, w: AlignedFloatBuffer, bias: AlignedFloatBuffer, y: AlignedFloatBuffer

    init(m: Int, n: Int, k: Int, seed: UInt32 = 777) {
        self.m = m; self.n = n; self.k = k
        x = AlignedFloatBuffer(count: m * k)
        w = AlignedFloatBuffer(count: k * n)
        bias = AlignedFloatBuffer(count: n)
        y = AlignedFloatBuffer(count: m * n)
        var state = seed
        x.fillUniform(&state)
        w.fillUniform(&state, scale: 1.7 / Float(max(1, k)).squareRoot())
        bias.fillUniform(&state, scale: 0.5)
        y.pointer.update(repeating: 0, count: y.count)
    }

    func release() {
        x.deallocate(); w.deallocate(); bias.deallocate(); y.deallocate()
    }
}

/// An MLP's operands: weights and biases per layer, the input batch and the output.
final class MLPOperands {
    let shape: MLPShape
    let layers: [DenseOperands]
    let input: AlignedFloatBuffer, output: AlignedFloatBuffer
    /// Hidden activations for the unfused pass.
    let scratch: [AlignedFloatBuffer]

    init(_ shape: MLPShape) {
        self.shape = shape
        layers = zip(shape.widths, shape.widths.dropFirst()).enumerated().map { index, pair in
            DenseOperands(m: 0, n: pair.1, k: pair.0, seed: 900 + UInt32(index))
        }
        input = AlignedFloatBuffer(count: shape.batch * shape.widths[0])
        output = AlignedFloatBuffer(count: shape.batch * shape.widths.last!)
        var state: UInt32 = 31
        input.fillUniform(&state)
        output.pointer.update(repeating: 0, count: output.count)
        let widest = shape.widths.dropFirst().max()!
        scratch = [AlignedFloatBuffer(count: shape.batch * widest), AlignedFloatBuffer(count: shape.batch * widest)]
    }

    func activation(layer: Int) -> Activation {
        layer == layers.count - 1 ? Activation(name: shape.output) ?? .identity : Activation(name: shape.hidden)!
    }

    func packed(threads: Int) throws -> MLP {
        let packed = try layers.enumerated().map { index, layer in
            MLP.Layer(weights: try DenseWeights(weights: UnsafeBufferPointer(layer.w.buffer), inputs: layer.k, outputs: layer.n,
                                                bias: UnsafeBufferPointer(layer.bias.buffer), layer: "fc\(index)"),
                      activation: activation(layer: index))
        }
        return try MLP(layers: packed, softmaxOutput: shape.output == "softmax", maxBatch: shape.batch, threads: threads)
    }

    /// Layer by layer with `Dense`'s unfused variant, then softmax: what the same network costs
    /// without the epilogue and without packing the weights ahead of time.
    func runUnfused(threads: Int) {
        let batch = shape.batch
        var current = UnsafeBufferPointer(input.buffer)
        for (index, layer) in layers.enumerated() {
            let isLast = index == layers.count - 1
            let destination = UnsafeMutableBufferPointer(start: isLast ? output.pointer : scratch[index % 2].pointer,
                                                         count: batch * layer.n)
            try! Dense.forward(input: current, batch: batch, inputs: layer.k, weights: UnsafeBufferPointer(layer.w.buffer),
                               outputs: layer.n, bias: UnsafeBufferPointer(layer.bias.buffer), activation: activation(layer: index),
                               output: destination, variant: .unfused, threads: threads)
            current = UnsafeBufferPointer(destination)
        }
        if shape.output == "softmax" {
            let n = shape.widths.last!
            try! Activations.softmax(rows: batch, columns: n, input: UnsafeBufferPointer(output.buffer), inputStride: n,
                                     output: output.buffer, outputStride: n)
        }
    }

    func release() {
        for layer in layers { layer.release() }
        input.deallocate(); output.deallocate()
        for buffer in scratch { buffer.deallocate() }
    }
}
