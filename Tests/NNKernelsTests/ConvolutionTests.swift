import Foundation
import Testing
import NNKernels

/// One convolution with random operands and its Double reference, with the bound on each output
/// carried through the activation as for the dense layer (`FusedReference`).
struct ConvolutionCase: CustomStringConvertible {
    var shape: ConvolutionShape
    var layout: TensorLayout
    var activation: Activation
    var x: [Float], w: [Float], bias: [Float]?

    init(_ shape: ConvolutionShape, layout: TensorLayout, activation: Activation, withBias: Bool, rng: inout SplitMix64) {
        self.shape = shape
        self.layout = layout
        self.activation = activation
        x = .random(count: shape.inputCount, using: &rng)
        w = .random(count: shape.weightCount, using: &rng)
        bias = withBias ? .random(count: shape.outputChannels, using: &rng) : nil
    }

    var description: String { "\(shape) \(layout.rawValue) \(activation) bias \(bias != nil)" }

    func inputIndex(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> Int {
        let s = shape
        return layout == .nchw ? ((n * s.inputChannels + c) * s.inputHeight + h) * s.inputWidth + w
                               : ((n * s.inputHeight + h) * s.inputWidth + w) * s.inputChannels + c
    }

    func outputIndex(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> Int {
        let s = shape
        return layout == .nchw ? ((n * s.outputChannels + c) * s.outputHeight + h) * s.outputWidth + w
                               : ((n * s.outputHeight + h) * s.outputWidth + w) * s.outputChannels + c
    }

    /// (value, bound) for every output, indexed as the output is laid out.
    func reference() -> [(Double, Double)] {
        let s = shape, u = Double(Float.ulpOfOne)
        let cg = s.inputChannelsPerGroup, kg = s.outputChannelsPerGroup
        let taps = cg * s.kernelHeight * s.kernelWidth
        var result = [(Double, Double)](repeating: (0, 0), count: s.outputCount)
        for n in 0..<s.batch {
            for oc in 0..<s.outputChannels {
                let group = oc / kg
                for oy in 0..<s.outputHeight {
                    for ox in 0..<s.outputWidth {
                        let b = bias.map { Double($0[oc]) } ?? 0
                        var sum = b, magnitude = abs(b)
                        for c in 0..<cg {
                            for ky in 0..<s.kernelHeight {
                                let iy = oy * s.strideHeight - s.paddingHeight + ky * s.dilationHeight
                                guard iy >= 0 && iy < s.inputHeight else { continue }
                                for kx in 0..<s.kernelWidth {
                                    let ix = ox * s.strideWidth - s.paddingWidth + kx * s.dilationWidth
                                    guard ix >= 0 && ix < s.inputWidth else { continue }
                                    let term = Double(x[inputIndex(n, group * cg + c, iy, ix)])
                                        * Double(w[((oc * cg + c) * s.kernelHeight + ky) * s.kernelWidth + kx])
                                    sum += term
                                    magnitude += abs(term)
                                }
                            }
                        }
                        let value = activation.reference(sum)
                        let bound = activation.largestSlope * Double(taps + 5) * u * magnitude
                            + activation.simdError(argument: sum, value: value)
                            + Double(Float.leastNormalMagnitude)
                        result[outputIndex(n, oc, oy, ox)] = (value, bound)
                    }
                }
            }
        }
        return result
    }

    func layer(_ algorithm: ConvolutionAlgorithm, threads: Int,
               microkernel: GemmMicrokernelDescriptor = GemmMicrokernels.preferred) throws -> Convolution2D {
        try w.withUnsafeBufferPointer { w in
            try withBias { try Convolution2D(shape: shape, layout: layout, algorithm: algorithm, weights: w, bias: $0,
                                             activation: activation, threads: threads, microkernel: microkernel) }
        }
    }

    func run(_ algorithm: ConvolutionAlgorithm, threads: Int,
             microkernel: GemmMicrokernelDescriptor = GemmMicrokernels.preferred) throws -> (output: [Float], layer: Convolution2D) {
        let layer = try layer(algorithm, threads: threads, microkernel: microkernel)
        var y = [Float](repeating: .nan, count: shape.outputCount)
        try x.withUnsafeBufferPointer { x in try y.withUnsafeMutableBufferPointer { try layer.forward(input: x, output: $0) } }
        return (y, layer)
    }

    /// `run` into the caller's buffer (for an output aligned, or not, as a test needs).
    func run(_ algorithm: ConvolutionAlgorithm, threads: Int, into y: UnsafeMutableBufferPointer<Float>) throws {
        let layer = try layer(algorithm, threads: threads)
        try x.withUnsafeBufferPointer { x in try layer.forward(input: x, output: y) }
    }

    func withBias<R>(_ body: (UnsafeBufferPointer<Float>?) throws -> R) rethrows -> R {
        guard let bias else { return try body(nil) }
        return try bias.withUnsafeBufferPointer { try body($0) }
    }
}

@Suite("Convolution")
struct ConvolutionTests {
    /// Random descriptors: odd sizes, strides 1 to 3, padding, dilation 2, groups (depthwise
    /// among them), 1x1 with and without stride.
    static func randomShapes(count: Int, seed: UInt64) -> [ConvolutionShape] {
        var rng = SplitMix64(seed: seed)
        var shapes: [ConvolutionShape] = []
        while shapes.count < count {
            let groups = [1, 1, 1, 2, 3].randomElement(using: &rng)!
            let depthwise = shapes.count % 7 == 6
            let cg = depthwise ? 1 : Int.random(in: 1...7, using: &rng)
            let kg = depthwise ? 1 : [1, 3, 8, 16, 17, 21].randomElement(using: &rng)!
            let g = depthwise ? Int.random(in: 2...9, using: &rng) : groups
            let kernel = [1, 1, 2, 3, 3, 5].randomElement(using: &rng)!
            guard let shape = try? ConvolutionShape(
                batch: Int.random(in: 1...3, using: &rng), groups: g, inputChannels: cg * g,
                inputHeight: Int.random(in: 1...13, using: &rng), inputWidth: Int.random(in: 1...17, using: &rng),
                outputChannels: kg * g, kernelHeight: kernel, kernelWidth: [kernel, 1, 3].randomElement(using: &rng)!,
                strideHeight: Int.random(in: 1...3, using: &rng), strideWidth: Int.random(in: 1...3, using: &rng),
                paddingHeight: Int.random(in: 0...2, using: &rng), paddingWidth: Int.random(in: 0...2, using: &rng),
                dilationHeight: [1, 1, 2].randomElement(using: &rng)!, dilationWidth: [1, 2].randomElement(using: &rng)!)
            else { continue }
            shapes.append(shape)
        }
        // Depthwise with more channels than a vector: two vectors and a tail of three; and a
        // stride-2 padded one whose row is not a multiple of the four pixels done at once.
        shapes.append(try! ConvolutionShape(batch: 2, groups: 19, inputChannels: 19, inputHeight: 9, inputWidth: 11,
                                            outputChannels: 19, kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1))
        shapes.append(try! ConvolutionShape(batch: 1, groups: 32, inputChannels: 32, inputHeight: 13, inputWidth: 14,
                                            outputChannels: 32, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2,
                                            paddingHeight: 1, paddingWidth: 1))
        // Depthwise read where it lies (no padded copy): a window wider than the padded image
        // on both sides (no output column with every tap inside); a 5x5 dilated window whose
        // padding clips up to four taps a side; stride 3 (NCHW's gathered columns); and NCHW
        // rows of 19 and 17 output columns (a last vector overlapping the one before) at strides
        // 1 and 2, and of 43 (six vectors: a block of four, then one that overlaps it).
        shapes.append(try! ConvolutionShape(batch: 2, groups: 11, inputChannels: 11, inputHeight: 2, inputWidth: 3,
                                            outputChannels: 11, kernelHeight: 3, kernelWidth: 5, paddingHeight: 1, paddingWidth: 2))
        shapes.append(try! ConvolutionShape(batch: 1, groups: 9, inputChannels: 9, inputHeight: 10, inputWidth: 12,
                                            outputChannels: 9, kernelHeight: 5, kernelWidth: 5, paddingHeight: 4, paddingWidth: 4,
                                            dilationHeight: 2, dilationWidth: 2))
        shapes.append(try! ConvolutionShape(batch: 1, groups: 16, inputChannels: 16, inputHeight: 11, inputWidth: 29,
                                            outputChannels: 16, kernelHeight: 3, kernelWidth: 3, strideHeight: 3, strideWidth: 3,
                                            paddingHeight: 1, paddingWidth: 1))
        shapes.append(try! ConvolutionShape(batch: 2, groups: 3, inputChannels: 3, inputHeight: 7, inputWidth: 19,
                                            outputChannels: 3, kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1))
        shapes.append(try! ConvolutionShape(batch: 1, groups: 5, inputChannels: 5, inputHeight: 6, inputWidth: 45,
                                            outputChannels: 5, kernelHeight: 3, kernelWidth: 3, paddingHeight: 2, paddingWidth: 1,
                                            dilationHeight: 2, dilationWidth: 2))
        shapes.append(try! ConvolutionShape(batch: 1, groups: 8, inputChannels: 8, inputHeight: 9, inputWidth: 34,
                                            outputChannels: 8, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2,
                                            paddingHeight: 1, paddingWidth: 1))
        // NCHW blocks of rows by vectors: a single output row of three vectors (one row of
        // four, one dead), and 5 rows of exactly one vector (four rows of one, the last block
        // overlapping the first).
        shapes.append(try! ConvolutionShape(batch: 2, groups: 4, inputChannels: 4, inputHeight: 1, inputWidth: 20,
                                            outputChannels: 4, kernelHeight: 1, kernelWidth: 3))
        shapes.append(try! ConvolutionShape(batch: 1, groups: 6, inputChannels: 6, inputHeight: 5, inputWidth: 8,
                                            outputChannels: 6, kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1))
        // Pointwise, unpadded NHWC direct, and a wider layer than the tile.
        shapes.append(try! ConvolutionShape(batch: 2, inputChannels: 5, inputHeight: 7, inputWidth: 9, outputChannels: 19,
                                            kernelHeight: 1, kernelWidth: 1))
        shapes.append(try! ConvolutionShape(batch: 1, inputChannels: 8, inputHeight: 9, inputWidth: 14, outputChannels: 35,
                                            kernelHeight: 3, kernelWidth: 3))
        shapes.append(try! ConvolutionShape(batch: 2, inputChannels: 6, inputHeight: 11, inputWidth: 11, outputChannels: 12,
                                            kernelHeight: 1, kernelWidth: 1, strideHeight: 2, strideWidth: 2))
        // LeNet's layer: one input channel (direct's flat window path), whole blocks of output
        // channels (two of 16, one of 32), tiles that cross rows and, at batch 2, images; and
        // with 70 output channels, blocks of 32 and a partial one.
        shapes.append(try! ConvolutionShape(batch: 2, inputChannels: 1, inputHeight: 28, inputWidth: 28, outputChannels: 32,
                                            kernelHeight: 3, kernelWidth: 3))
        shapes.append(try! ConvolutionShape(batch: 1, inputChannels: 3, inputHeight: 9, inputWidth: 31, outputChannels: 70,
                                            kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1))
        // Enough input channels that direct convolution makes several passes over a row
        // (with chunks sized to half of L1d, 3x3 x 70 and 5x5 x 40 both need more than one).
        shapes.append(try! ConvolutionShape(batch: 1, inputChannels: 70, inputHeight: 6, inputWidth: 13, outputChannels: 20,
                                            kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1))
        shapes.append(try! ConvolutionShape(batch: 1, groups: 2, inputChannels: 80, inputHeight: 7, inputWidth: 8, outputChannels: 34,
                                            kernelHeight: 5, kernelWidth: 5, strideHeight: 2, strideWidth: 1, paddingHeight: 2, paddingWidth: 2))
        // The same for a tile whose chunks are sized to half of L2 (`DirectConvolutionBlocking`):
        // 5x5 x 420 channels x 32 lanes are 1.3 MB of weights, more than one pass up to a 2 MiB L2.
        // Its 49 pixels leave one for the last tile of 8, 6 or 4 rows, which runs as a 1-row
        // tile (its partial sums too); the next layer's 50 leave two, in a partial block of
        // output channels.
        shapes.append(try! ConvolutionShape(batch: 1, inputChannels: 420, inputHeight: 7, inputWidth: 7, outputChannels: 5,
                                            kernelHeight: 5, kernelWidth: 5, paddingHeight: 2, paddingWidth: 2))
        shapes.append(try! ConvolutionShape(batch: 1, inputChannels: 40, inputHeight: 5, inputWidth: 10, outputChannels: 35,
                                            kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1))
        // Short last tiles of three to seven rows: 196 pixels leave 4 for the 8-row tile and
        // the 6-row one; 35 leave 3 for the 8- and 4-row tiles and 5 for the 6-row one.
        shapes.append(try! ConvolutionShape(batch: 1, inputChannels: 20, inputHeight: 14, inputWidth: 14, outputChannels: 9,
                                            kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1))
        shapes.append(try! ConvolutionShape(batch: 1, inputChannels: 12, inputHeight: 5, inputWidth: 7, outputChannels: 33,
                                            kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1))
        // More output pixels than one NHWC im2col block: with 1350 floats a row, half of a
        // 512 KiB L2 holds 48, so blocks aim at the minimum 96 rows and the 224 pixels take
        // three, the last one partial (two up to a 2 MiB L2); at batch 1 (one threaded GEMM per
        // image) and batch 2 (blocks of the 448 pixels shared out, one of them crossing from the
        // first image into the second).
        for batch in [1, 2] {
            shapes.append(try! ConvolutionShape(batch: batch, inputChannels: 150, inputHeight: 14, inputWidth: 16, outputChannels: 7,
                                                kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1))
        }
        return shapes
    }

    @Test("every algorithm and layout against the Double reference", arguments: ConvolutionAlgorithm.allCases, [1, 2])
    func algorithmsMatchReference(_ algorithm: ConvolutionAlgorithm, threads: Int) throws {
        try checkRandomShapes(algorithm, threads: threads, microkernel: GemmMicrokernels.preferred)
    }

    /// Direct convolution takes its register tile (MR pixels, NR channels, vector width) from the
    /// GEMM microkernel, and im2col its panels' MR: every other tile this CPU supports too.
    @Test("im2col and direct on every other supported microkernel's tile", arguments: [ConvolutionAlgorithm.im2col, .direct],
          GemmMicrokernels.all.filter { $0.isSupported && $0.name != GemmMicrokernels.preferred.name }.map(\.name))
    func otherTilesMatchReference(_ algorithm: ConvolutionAlgorithm, microkernel: String) throws {
        try checkRandomShapes(algorithm, threads: 2, microkernel: GemmMicrokernels.named(microkernel)!)
    }

    private func checkRandomShapes(_ algorithm: ConvolutionAlgorithm, threads: Int, microkernel: GemmMicrokernelDescriptor) throws {
        var rng = SplitMix64(seed: 900 + UInt64(threads))
        for (index, shape) in Self.randomShapes(count: 30, seed: 17).enumerated() {
            for layout in TensorLayout.allCases {
                let testCase = ConvolutionCase(shape, layout: layout, activation: Activation.all[index % Activation.all.count],
                                               withBias: index % 4 != 3, rng: &rng)
                let (y, _) = try testCase.run(algorithm, threads: threads, microkernel: microkernel)
                for (i, (expected, bound)) in testCase.reference().enumerated() where !(abs(Double(y[i]) - expected) <= bound) {
                    Issue.record("\(algorithm) \(microkernel.name) threads=\(threads) \(testCase): y[\(i)] = \(y[i]), expected \(expected) +- \(bound)")
                    break
                }
            }
        }
    }

    /// Depthwise NHWC layers whose input and output outgrow `Tuning.streamingStoreBytes` fetch
    /// their input ahead and, into an output whose pixels start on 32-byte boundaries, stream it
    /// around the caches. Each layer is written into a 64-byte aligned output (streamed when the
    /// channels fill whole vectors) and one float past it (ordinary stores), on 1 and 2 threads.
    @Test("depthwise NHWC past the streaming size, streamed and not, against the Double reference", arguments: [1, 2])
    func depthwisePastStreamingSize(threads: Int) throws {
        let floats = Tuning.streamingStoreBytes / MemoryLayout<Float>.size
        var rng = SplitMix64(seed: 808 + UInt64(threads))
        // (channels, stride): stride 1 and 2 over whole vectors; 20 channels end in a partial
        // vector, so that layer fetches ahead but never streams. Odd sides, padding 1.
        for (index, (channels, stride)) in [(32, 1), (64, 2), (20, 2)].enumerated() {
            let outputShare = 1 / Double(stride * stride)
            var side = Int((Double(floats) / (Double(channels) * (1 + outputShare))).squareRoot().rounded(.up)) + 1
            side += side % 2 == 0 ? 1 : 0
            let shape = try ConvolutionShape(batch: 1, groups: channels, inputChannels: channels, inputHeight: side,
                                             inputWidth: side, outputChannels: channels, kernelHeight: 3, kernelWidth: 3,
                                             strideHeight: stride, strideWidth: stride, paddingHeight: 1, paddingWidth: 1)
            #expect((shape.inputCount + shape.outputCount) * MemoryLayout<Float>.size >= Tuning.streamingStoreBytes)
            let testCase = ConvolutionCase(shape, layout: .nhwc, activation: Activation.all[(index * 2 + threads) % Activation.all.count],
                                           withBias: true, rng: &rng)
            let reference = testCase.reference()
            let output = AlignedFloatBuffer(count: shape.outputCount + 1)
            defer { output.deallocate() }
            for offset in [0, 1] {
                let y = UnsafeMutableBufferPointer(start: output.pointer + offset, count: shape.outputCount)
                y.update(repeating: .nan)
                try testCase.run(.direct, threads: threads, into: y)
                if let i = reference.indices.first(where: { !(abs(Double(y[$0]) - reference[$0].0) <= reference[$0].1) }) {
                    Issue.record("offset \(offset) threads=\(threads) \(testCase): y[\(i)] = \(y[i]), expected \(reference[i].0) +- \(reference[i].1)")
                }
            }
        }
    }

    @Test("the im2col buffer is the only extra memory, and 1x1 stride-1 needs none")
    func workspace() throws {
        var rng = SplitMix64(seed: 5)
        // Depthwise direct convolution reads and writes the caller's tensors in either layout.
        let depthwise = try ConvolutionShape(batch: 2, groups: 8, inputChannels: 8, inputHeight: 6, inputWidth: 6, outputChannels: 8,
                                             kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1)
        for layout in TensorLayout.allCases {
            #expect(try ConvolutionCase(depthwise, layout: layout, activation: .relu, withBias: true, rng: &rng)
                .run(.direct, threads: 2).layer.workspaceBytes == 0)
        }
        let pointwise = try ConvolutionShape(batch: 1, inputChannels: 8, inputHeight: 5, inputWidth: 5, outputChannels: 4,
                                             kernelHeight: 1, kernelWidth: 1)
        let threeByThree = try ConvolutionShape(batch: 1, inputChannels: 8, inputHeight: 5, inputWidth: 5, outputChannels: 4,
                                                kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1)
        for layout in TensorLayout.allCases {
            #expect(try ConvolutionCase(pointwise, layout: layout, activation: .relu, withBias: true, rng: &rng)
                .run(.im2col, threads: 1).layer.workspaceBytes == 0)
            // NCHW: 72 rows of 25 pixels. NHWC: the rows of 25 pixels as whole MR-pixel micro-panels,
            // 8 floats the panel transposes may write past them, and 8 zeros (the channels rounded
            // up to a vector) that padding taps read.
            let mr = GemmMicrokernels.preferred.mr
            let floats = layout == .nchw ? 25 * 72 : (25 + mr - 1) / mr * mr * 72 + 8 + 8
            #expect(try ConvolutionCase(threeByThree, layout: layout, activation: .relu, withBias: true, rng: &rng)
                .run(.im2col, threads: 1).layer.workspaceBytes == floats * 4)
        }
    }

    @Test("bad descriptors and buffers name the field")
    func badInput() throws {
        #expect(throws: KernelError.invalidDimension(dimension: "inputChannels", expected: "a multiple of groups (2)", got: 3)) {
            _ = try ConvolutionShape(batch: 1, groups: 2, inputChannels: 3, inputHeight: 4, inputWidth: 4, outputChannels: 4,
                                     kernelHeight: 1, kernelWidth: 1)
        }
        #expect(throws: KernelError.invalidDimension(dimension: "outputChannels", expected: "a multiple of groups (2)", got: 5)) {
            _ = try ConvolutionShape(batch: 1, groups: 2, inputChannels: 4, inputHeight: 4, inputWidth: 4, outputChannels: 5,
                                     kernelHeight: 1, kernelWidth: 1)
        }
        #expect(throws: KernelError.invalidDimension(
            dimension: "outputHeight (from inputHeight, kernelHeight, strideHeight, paddingHeight, dilationHeight)",
            expected: ">= 1", got: 0)) {
            _ = try ConvolutionShape(batch: 1, inputChannels: 1, inputHeight: 2, inputWidth: 8, outputChannels: 1,
                                     kernelHeight: 3, kernelWidth: 3)
        }
        #expect(throws: KernelError.invalidDimension(dimension: "strideWidth", expected: ">= 1", got: 0)) {
            _ = try ConvolutionShape(batch: 1, inputChannels: 1, inputHeight: 8, inputWidth: 8, outputChannels: 1,
                                     kernelHeight: 3, kernelWidth: 3, strideWidth: 0)
        }
        let shape = try ConvolutionShape(batch: 1, inputChannels: 2, inputHeight: 4, inputWidth: 4, outputChannels: 3,
                                         kernelHeight: 3, kernelWidth: 3)
        let w = [Float](repeating: 0, count: 54), x = [Float](repeating: 0, count: 31)
        var y = [Float](repeating: 0, count: 12)
        let layer = try w.withUnsafeBufferPointer {
            try Convolution2D(shape: shape, layout: .nchw, algorithm: .direct, weights: $0, bias: nil, activation: .relu)
        }
        #expect(throws: KernelError.shapeMismatch(what: "convolution input elements (batch x inputChannels x inputHeight x inputWidth)",
                                                  expected: "32", got: "31")) {
            try x.withUnsafeBufferPointer { x in try y.withUnsafeMutableBufferPointer { try layer.forward(input: x, output: $0) } }
        }
        #expect(throws: KernelError.shapeMismatch(what: "convolution bias (one per output channel)", expected: "3", got: "2")) {
            try w.withUnsafeBufferPointer { w in
                try [Float(1), 2].withUnsafeBufferPointer {
                    _ = try Convolution2D(shape: shape, layout: .nhwc, algorithm: .im2col, weights: w, bias: $0, activation: .relu)
                }
            }
        }
    }
}
