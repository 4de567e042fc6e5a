import Testing
import NNKernels

/// The README's "Using the library" examples, run as they are printed there and checked.
///
/// Each block between `// README begin` and `// README end` is the text of one `swift` block in
/// the README, indented by the test around it; `scripts/check-readme-examples` (run by CI) fails
/// if a README block is not found here verbatim, so the README cannot show code that does not
/// compile or does not do what it says. The import is the plain one a user writes, so the
/// examples reach only the public API.
@Suite("README examples")
struct ReadmeExamplesTests {
    @Test("GEMM: C = A * B on two threads")
    func gemm() throws {
        // README begin
        // C (2 x 2) = A (2 x 3) * B (3 x 2), row-major, leading dimensions in floats.
        let a: [Float] = [1, 2, 3,
                          4, 5, 6]
        let b: [Float] = [7, 8,
                          9, 10,
                          11, 12]
        var c = [Float](repeating: .nan, count: 4)  // beta 0 (the default): C is never read
        try a.withUnsafeBufferPointer { a in
            try b.withUnsafeBufferPointer { b in
                try c.withUnsafeMutableBufferPointer { c in
                    try Gemm.compute(m: 2, n: 2, k: 3, a: a, lda: 3, b: b, ldb: 2, c: c, ldc: 2, threads: 2)
                }
            }
        }
        // c == [58, 64, 139, 154]
        // README end
        #expect(c == [58, 64, 139, 154])
    }

    @Test("a bad call is refused with the dimension, what was expected and what was given")
    func badCall() throws {
        let a = [Float](repeating: 1, count: 6), b = [Float](repeating: 1, count: 6)
        var c = [Float](repeating: 0, count: 4)
        // README begin
        // The same product with A's leading dimension too short for its 3 columns.
        var message = ""
        do {
            try a.withUnsafeBufferPointer { a in
                try b.withUnsafeBufferPointer { b in
                    try c.withUnsafeMutableBufferPointer { c in
                        try Gemm.compute(m: 2, n: 2, k: 3, a: a, lda: 2, b: b, ldb: 2, c: c, ldc: 2)
                    }
                }
            }
        } catch let error as KernelError {
            message = error.description
        }
        // message == "lda: expected >= 3, got 2"; nothing was written to C
        // README end
        #expect(message == "lda: expected >= 3, got 2")
        #expect(c == [0, 0, 0, 0])
    }

    @Test("a dense layer with its weights packed once")
    func denseLayer() throws {
        let (batch, inputs, outputs) = (64, 784, 256)
        var rng = SplitMix64(seed: 31)
        let w = [Float].random(count: inputs * outputs, in: -0.05...0.05, using: &rng)
        let bias = [Float].random(count: outputs, in: -0.5...0.5, using: &rng)
        let x = [Float].random(count: batch * inputs, using: &rng)
        // README begin
        // Y (64 x 256) = relu(X (64 x 784) * W (784 x 256) + bias). W is packed once, here, into
        // the micro-panels of this CPU's microkernel; every forward call reuses it.
        let layer = try w.withUnsafeBufferPointer { w in
            try bias.withUnsafeBufferPointer { bias in
                try DenseWeights(weights: w, inputs: 784, outputs: 256, bias: bias, layer: "hidden")
            }
        }
        var y = [Float](repeating: 0, count: 64 * 256)
        try x.withUnsafeBufferPointer { x in
            try y.withUnsafeMutableBufferPointer { y in
                try Dense.forward(input: x, batch: 64, weights: layer, activation: .relu, output: y)
            }
        }
        // README end
        let product = GemmReference(transA: .none, transB: .none, m: batch, n: outputs, k: inputs, alpha: 1,
                                    a: x, lda: inputs, b: w, ldb: outputs, beta: 0, c: [], ldc: outputs)
        let reference = FusedReference(product, n: outputs, bias: bias, activation: .relu)
        let mismatch = reference.firstMismatch(y, n: outputs, ldc: outputs)
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test("an MLP 784-256-128-10 ending in softmax")
    func mlp() throws {
        var rng = SplitMix64(seed: 32)
        let sizes = [784, 256, 128, 10]
        let weights = (0..<3).map { [Float].random(count: sizes[$0] * sizes[$0 + 1], in: -0.05...0.05, using: &rng) }
        let biases = (0..<3).map { [Float].random(count: sizes[$0 + 1], in: -0.1...0.1, using: &rng) }
        let images = [Float].random(count: 32 * 784, in: 0...1, using: &rng)
        // README begin
        // Layers of (inputs, outputs, activation); weights[i] is inputs x outputs, row-major.
        let shape: [(Int, Int, Activation)] = [(784, 256, .relu), (256, 128, .relu), (128, 10, .identity)]
        let layers = try shape.enumerated().map { index, layer in
            let packed = try weights[index].withUnsafeBufferPointer { w in
                try biases[index].withUnsafeBufferPointer { b in
                    try DenseWeights(weights: w, inputs: layer.0, outputs: layer.1, bias: b, layer: "layer \(index)")
                }
            }
            return MLP.Layer(weights: packed, activation: layer.2)
        }
        // Buffers for a batch of up to 256 are allocated here, once; forward allocates nothing.
        let network = try MLP(layers: layers, softmaxOutput: true, maxBatch: 256)
        var probabilities = [Float](repeating: 0, count: 32 * 10)
        try images.withUnsafeBufferPointer { images in
            try probabilities.withUnsafeMutableBufferPointer { output in
                try network.forward(input: images, batch: 32, output: output)
            }
        }
        // Each of the 32 rows of probabilities sums to 1.
        // README end
        for row in 0..<32 {
            let sum = probabilities[row * 10..<row * 10 + 10].reduce(0, +)
            #expect(abs(sum - 1) <= Float(10 + 2) * Float.ulpOfOne, "row \(row) sums to \(sum)")
        }
    }

    @Test("a convolution layer, direct, channels-last")
    func convolution() throws {
        var rng = SplitMix64(seed: 33)
        let filters = [Float].random(count: 64 * 64 * 3 * 3, in: -0.1...0.1, using: &rng)
        let bias = [Float].random(count: 64, using: &rng)
        let image = [Float].random(count: 56 * 56 * 64, using: &rng)
        // README begin
        // ResNet-50's res2a_branch2b: 64 -> 64 channels, 3 x 3, padding 1, on one 56 x 56 image.
        let shape = try ConvolutionShape(batch: 1, inputChannels: 64, inputHeight: 56, inputWidth: 56,
                                         outputChannels: 64, kernelHeight: 3, kernelWidth: 3,
                                         paddingHeight: 1, paddingWidth: 1)
        // Weights are OIHW as PyTorch stores them; the layer rearranges them once, here.
        let conv = try filters.withUnsafeBufferPointer { filters in
            try bias.withUnsafeBufferPointer { bias in
                try Convolution2D(shape: shape, layout: .nhwc, algorithm: .direct, weights: filters,
                                  bias: bias, activation: .relu, threads: 2)
            }
        }
        var features = [Float](repeating: 0, count: shape.outputCount)  // 1 x 56 x 56 x 64
        try image.withUnsafeBufferPointer { image in
            try features.withUnsafeMutableBufferPointer { features in
                try conv.forward(input: image, output: features)
            }
        }
        // README end
        // Output pixel (row 10, column 20), channel 5, against the seven loops in Double, with the
        // bound of `ConvolutionCase.reference()`; that reference computes every output, 115 million
        // products at this shape, which a debug build takes too long over.
        var sum = Double(bias[5]), magnitude = abs(Double(bias[5]))
        for ci in 0..<64 {
            for kh in 0..<3 {
                for kw in 0..<3 {
                    let (ih, iw) = (10 + kh - 1, 20 + kw - 1)
                    let pixel: Int = (ih * 56 + iw) * 64 + ci, tap: Int = ((5 * 64 + ci) * 3 + kh) * 3 + kw
                    let term = Double(image[pixel]) * Double(filters[tap])
                    sum += term
                    magnitude += abs(term)
                }
            }
        }
        let tolerance = Double(576 + 1) * Double(Float.ulpOfOne) * magnitude
        #expect(abs(Double(features[(10 * 56 + 20) * 64 + 5]) - max(0, sum)) <= tolerance)
    }
}
