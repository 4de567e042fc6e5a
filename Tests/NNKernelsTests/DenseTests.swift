import Foundation
import Testing
import NNKernels

/// One dense layer's operands: X is batch x inputs, W inputs x outputs (or outputs x inputs
/// when transposed), b one per output.
struct DenseCase: CustomStringConvertible {
    var batch: Int, inputs: Int, outputs: Int
    var layout: Transpose
    var x: [Float], w: [Float], bias: [Float]?
    var activation: Activation

    init(batch: Int, inputs: Int, outputs: Int, layout: Transpose, withBias: Bool, activation: Activation,
         rng: inout SplitMix64) {
        self.batch = batch; self.inputs = inputs; self.outputs = outputs
        self.layout = layout
        self.activation = activation
        x = .random(count: batch * inputs, in: -2...2, using: &rng)
        w = .random(count: inputs * outputs, using: &rng)
        bias = withBias ? .random(count: outputs, in: -1...1, using: &rng) : nil
    }

    var description: String {
        "batch \(batch), \(inputs) -> \(outputs), W \(layout == .none ? "inputs x outputs" : "outputs x inputs"), bias \(bias != nil), \(activation)"
    }

    var reference: FusedReference {
        let gemm = GemmReference(transA: .none, transB: layout, m: batch, n: outputs, k: inputs, alpha: 1,
                                 a: x, lda: max(1, inputs), b: w, ldb: max(1, layout == .none ? outputs : inputs),
                                 beta: 0, c: [], ldc: max(1, outputs))
        return FusedReference(gemm, n: outputs, bias: bias, activation: activation)
    }

    func run(_ variant: DenseVariant, threads: Int) throws -> [Float] {
        var y = [Float](repeating: .nan, count: batch * outputs)
        try x.withUnsafeBufferPointer { x in
            try w.withUnsafeBufferPointer { w in
                try y.withUnsafeMutableBufferPointer { y in
                    try withBias { bias in
                        try Dense.forward(input: x, batch: batch, inputs: inputs, weights: w, layout: layout, outputs: outputs,
                                          bias: bias, activation: activation, output: y, variant: variant, threads: threads)
                    }
                }
            }
        }
        return y
    }

    func withBias<R>(_ body: (UnsafeBufferPointer<Float>?) throws -> R) rethrows -> R {
        guard let bias else { return try body(nil) }
        return try bias.withUnsafeBufferPointer { try body($0) }
    }

    func packed() throws -> DenseWeights {
        try w.withUnsafeBufferPointer { w in
            try withBias { try DenseWeights(weights: w, layout: layout, inputs: inputs, outputs: outputs, bias: $0) }
        }
    }
}

@Suite("Dense layers")
struct DenseTests {
    static let sizes = [0, 1, 2, 3, 5, 7, 13, 16, 17, 31, 37]

    static func randomCases(count: Int, seed: UInt64) -> [DenseCase] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { index in
            let pick = { (rng: inout SplitMix64) -> Int in
                Bool.random(using: &rng) ? sizes.randomElement(using: &rng)! : Int.random(in: 1...80, using: &rng)
            }
            return DenseCase(batch: pick(&rng), inputs: pick(&rng), outputs: pick(&rng),
                             layout: Bool.random(using: &rng) ? .none : .transposed, withBias: index % 5 != 4,
                             activation: Activation.all[index % Activation.all.count], rng: &rng)
        }
    }

    @Test("every variant against GEMM plus activation in Double", arguments: DenseVariant.allCases, [1, 2])
    func variantsMatchReference(_ variant: DenseVariant, threads: Int) throws {
        for testCase in Self.randomCases(count: 48, seed: 31 + UInt64(threads)) {
            let y = try testCase.run(variant, threads: threads)
            let mismatch = testCase.reference.firstMismatch(y, n: testCase.outputs, ldc: max(1, testCase.outputs))
            #expect(mismatch == nil, "\(variant) threads=\(threads) \(testCase): \(mismatch ?? "")")
        }
    }

    /// Packed once, called many times at different batches and activations: the weights are
    /// not consumed or changed by a call.
    @Test("prepacked weights reused across calls, 1 and 2 threads")
    func prepackedReuse() throws {
        var rng = SplitMix64(seed: 4242)
        var base = DenseCase(batch: 1, inputs: 300, outputs: 70, layout: .none, withBias: true, activation: .relu, rng: &rng)
        let weights = try base.packed()
        for (batch, activation, threads) in [(1, Activation.relu, 1), (7, .gelu, 2), (64, .sigmoid, 2), (5, .identity, 1), (130, .tanh, 2), (9, .geluErf, 2)] {
            base.batch = batch
            base.activation = activation
            base.x = .random(count: batch * base.inputs, in: -2...2, using: &rng)
            var y = [Float](repeating: .nan, count: batch * base.outputs)
            try base.x.withUnsafeBufferPointer { x in
                try y.withUnsafeMutableBufferPointer { y in
                    try Dense.forward(input: x, batch: batch, weights: weights, activation: activation, output: y, threads: threads)
                }
            }
            let mismatch = base.reference.firstMismatch(y, n: base.outputs, ldc: base.outputs)
            #expect(mismatch == nil, "prepacked \(base) threads=\(threads): \(mismatch ?? "")")
        }
    }

    /// Batches below one micro-panel of rows on weights packed beforehand (`ShortPanelGemm`)
    /// against outputs of four and more micro-panels of W, with and without a last panel of few
    /// live columns: every panel's bias and columns placed right, on 1 and 2 threads. The
    /// random cases above stop at 80 outputs, two or three panels.
    @Test("small batches over many packed output panels, 1 and 2 threads", arguments: [1, 2])
    func smallBatchesOverManyPanels(threads: Int) throws {
        let nr = GemmMicrokernels.preferred.nr
        var rng = SplitMix64(seed: 5150 + UInt64(threads))
        var index = 0
        for batch in 1...4 {
            for outputs in [4 * nr, 4 * nr + 5, 5 * nr, 9 * nr + 3, 13] {
                for inputs in [1, 6, 37] {
                    let testCase = DenseCase(batch: batch, inputs: inputs, outputs: outputs,
                                             layout: index % 2 == 0 ? .none : .transposed, withBias: index % 3 != 2,
                                             activation: Activation.all[index % Activation.all.count], rng: &rng)
                    index += 1
                    let weights = try testCase.packed()
                    var y = [Float](repeating: .nan, count: batch * outputs)
                    try testCase.x.withUnsafeBufferPointer { x in
                        try y.withUnsafeMutableBufferPointer { y in
                            try Dense.forward(input: x, batch: batch, weights: weights, activation: testCase.activation,
                                              output: y, threads: threads)
                        }
                    }
                    let mismatch = testCase.reference.firstMismatch(y, n: outputs, ldc: outputs)
                    #expect(mismatch == nil, "prepacked \(testCase) threads=\(threads): \(mismatch ?? "")")
                }
            }
        }
    }

    @Test("mismatched shapes name the layer and the dimension")
    func badInput() throws {
        let w = [Float](repeating: 0, count: 12), x = [Float](repeating: 0, count: 8)
        var y = [Float](repeating: 0, count: 6)
        let bias = [Float](repeating: 0, count: 2)
        try x.withUnsafeBufferPointer { x in
            try w.withUnsafeBufferPointer { w in
                try y.withUnsafeMutableBufferPointer { y in
                    try bias.withUnsafeBufferPointer { bias in
                        #expect(throws: KernelError.shapeMismatch(what: "layer fc1: bias length (one per output)", expected: "3", got: "2")) {
                            try Dense.forward(input: x, batch: 2, inputs: 4, weights: w, outputs: 3, bias: bias,
                                              activation: .relu, output: y, layer: "fc1")
                        }
                        #expect(throws: KernelError.shapeMismatch(what: "layer fc2: X elements (batch 3 x inputs 4)", expected: "12", got: "8")) {
                            try Dense.forward(input: x, batch: 3, inputs: 4, weights: w, outputs: 3, bias: nil,
                                              activation: .relu, output: y, layer: "fc2")
                        }
                        #expect(throws: KernelError.bufferTooSmall(buffer: "layer fc3: W (4 x 4)", needed: 16, got: 12)) {
                            try Dense.forward(input: x, batch: 2, inputs: 4, weights: w, outputs: 4, bias: nil,
                                              activation: .relu, output: y, layer: "fc3")
                        }
                        #expect(throws: KernelError.shapeMismatch(what: "layer dense: Y elements (batch 2 x outputs 2)", expected: "4", got: "6")) {
                            try Dense.forward(input: x, batch: 2, inputs: 4, weights: w, outputs: 2, bias: nil,
                                              activation: .relu, output: y)
                        }
                    }
                }
            }
        }
    }
}

// One case at a time. Three aborts in about 90 test runs, all within seconds of the start and
// all while this suite's first two cases (the same network, one and two threads) started
// together, came from the Swift runtime's own caches: glibc's "malloc(): invalid size" twice,
// and once, under ThreadSanitizer, a null read inside ConcurrentReadableHashMap::find (the
// witness-table cache) reached from `reduce` on an ArraySlice in this test, with no kernel code
// on the stack and nothing reported by ThreadSanitizer or AddressSanitizer in our code. In a
// debug build nothing is specialized, so each case's first call instantiates generic metadata
// and witness tables (the value-generic microkernel tiles among them) at run time. Running the
// cases one after the other removes that simultaneous start; README, "Known defect".
@Suite("MLP forward", .serialized)
struct MLPTests {
    /// A network of `widths`, in Double, layer by layer, with an elementwise error bound carried
    /// forward: each layer's bound is |W| times the previous bound plus this layer's own
    /// rounding (FusedReference), scaled by the activation's slope.
    static func reference(_ x: [Float], batch: Int, widths: [Int], weights: [[Float]], biases: [[Float]],
                          activations: [Activation], softmax: Bool) -> (values: [Double], bounds: [Double]) {
        var h = x.map(Double.init)
        var error = [Double](repeating: 0, count: x.count)
        let u = Double(Float.ulpOfOne)
        for layer in 0..<(widths.count - 1) {
            let k = widths[layer], n = widths[layer + 1]
            var next = [Double](repeating: 0, count: batch * n), nextError = next
            for i in 0..<batch {
                for j in 0..<n {
                    var sum = Double(biases[layer][j]), magnitude = abs(sum), carried = 0.0
                    for p in 0..<k {
                        let wv = Double(weights[layer][p * n + j])
                        sum += h[i * k + p] * wv
                        magnitude += abs(h[i * k + p] * wv)
                        carried += abs(wv) * error[i * k + p]
                    }
                    let activation = activations[layer]
                    let value = activation.reference(sum)
                    next[i * n + j] = value
                    nextError[i * n + j] = activation.largestSlope * (carried + Double(k + 4) * u * magnitude)
                        + activation.simdError(argument: sum, value: value)
                        + Double(Float.leastNormalMagnitude)
                }
            }
            h = next
            error = nextError
        }
        if softmax {
            let n = widths.last!
            for i in 0..<batch {
                let row = h[(i * n)..<((i + 1) * n)]
                let maximum = row.max()!
                let total = row.reduce(0) { $0 + exp($1 - maximum) }
                let worstInput = error[(i * n)..<((i + 1) * n)].max()!
                for j in 0..<n {
                    let s = exp(h[i * n + j] - maximum) / total
                    h[i * n + j] = s
                    // log s_j moves by at most 2 max|dz|; the kernel adds (n + 4) roundings.
                    error[i * n + j] = s * (exp(2 * worstInput) - 1) + Double(n + 6) * u * s + Double(Float.leastNormalMagnitude)
                }
            }
        }
        return (h, error)
    }

    @Test("MLP forward against a layer-by-layer Double reference", arguments: [
        ([19, 23, 11, 5], true), ([31, 40, 40, 40, 3], false), ([7, 1, 9], true),
    ], [1, 2])
    func matchesReference(_ network: ([Int], Bool), threads: Int) throws {
        let (widths, softmax) = network
        var rng = SplitMix64(seed: UInt64(widths.reduce(0, +) * 10 + threads))
        let activations = (0..<(widths.count - 1)).map { Activation.all[($0 * 2 + widths[0]) % Activation.all.count] }
        var weights: [[Float]] = [], biases: [[Float]] = []
        var layers: [MLP.Layer] = []
        for layer in 0..<(widths.count - 1) {
            let w = [Float].random(count: widths[layer] * widths[layer + 1], in: -0.5...0.5, using: &rng)
            let b = [Float].random(count: widths[layer + 1], in: -0.5...0.5, using: &rng)
            weights.append(w)
            biases.append(b)
            let packed = try w.withUnsafeBufferPointer { w in
                try b.withUnsafeBufferPointer { b in
                    try DenseWeights(weights: w, inputs: widths[layer], outputs: widths[layer + 1], bias: b, layer: "fc\(layer)")
                }
            }
            layers.append(MLP.Layer(weights: packed, activation: activations[layer]))
        }
        let network = try MLP(layers: layers, softmaxOutput: softmax, maxBatch: 70, threads: threads)
        for batch in [1, 6, 70] {
            let x = [Float].random(count: batch * widths[0], in: -1...1, using: &rng)
            var y = [Float](repeating: .nan, count: batch * widths.last!)
            try x.withUnsafeBufferPointer { x in
                try y.withUnsafeMutableBufferPointer { y in try network.forward(input: x, batch: batch, output: y) }
            }
            let (values, bounds) = Self.reference(x, batch: batch, widths: widths, weights: weights, biases: biases,
                                                  activations: activations, softmax: softmax)
            for index in values.indices where !(abs(Double(y[index]) - values[index]) <= bounds[index]) {
                Issue.record("MLP \(widths) batch \(batch) threads \(threads): y[\(index)] = \(y[index]), expected \(values[index]) +- \(bounds[index])")
                break
            }
            if softmax {
                let n = widths.last!
                for i in 0..<batch {
                    let sum = y[(i * n)..<((i + 1) * n)].reduce(0, +)
                    #expect(abs(sum - 1) <= Float(n + 2) * Float.ulpOfOne, "softmax row \(i) sums to \(sum)")
                }
            }
        }
    }

    @Test("layers that do not chain, and a batch above the maximum, are named")
    func badNetworks() throws {
        let w = [Float](repeating: 0.1, count: 12)
        let (a, b) = try w.withUnsafeBufferPointer { w in
            (try DenseWeights(weights: w, inputs: 3, outputs: 4, bias: nil, layer: "hidden"),
             try DenseWeights(weights: w, inputs: 6, outputs: 2, bias: nil, layer: "out"))
        }
        #expect(throws: KernelError.shapeMismatch(what: "layer 1 (out): inputs, which must equal the outputs of layer 0 (hidden)",
                                                  expected: "4", got: "6")) {
            _ = try MLP(layers: [MLP.Layer(weights: a, activation: .relu), MLP.Layer(weights: b, activation: .identity)],
                        softmaxOutput: true, maxBatch: 4)
        }
        let single = try MLP(layers: [MLP.Layer(weights: a, activation: .relu)], softmaxOutput: false, maxBatch: 2)
        var y = [Float](repeating: 0, count: 12)
        let x = [Float](repeating: 0, count: 9)
        #expect(throws: KernelError.invalidDimension(dimension: "MLP batch", expected: "<= maxBatch 2", got: 3)) {
            try x.withUnsafeBufferPointer { x in try y.withUnsafeMutableBufferPointer { try single.forward(input: x, batch: 3, output: $0) } }
        }
    }
}
