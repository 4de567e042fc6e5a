import Testing
import NNKernels

@Suite("Pooling")
struct PoolingTests {
    static func randomShapes(seed: UInt64) -> [PoolingShape] {
        var rng = SplitMix64(seed: seed)
        var shapes: [PoolingShape] = []
        while shapes.count < 40 {
            let window = Int.random(in: 1...4, using: &rng), windowWidth = Int.random(in: 1...4, using: &rng)
            guard let shape = try? PoolingShape(
                batch: Int.random(in: 1...2, using: &rng), channels: [1, 3, 8, 13, 17].randomElement(using: &rng)!,
                inputHeight: Int.random(in: 1...12, using: &rng), inputWidth: Int.random(in: 1...40, using: &rng),
                windowHeight: window, windowWidth: windowWidth,
                strideHeight: Int.random(in: 1...3, using: &rng), strideWidth: Int.random(in: 1...3, using: &rng),
                paddingHeight: Int.random(in: 0...(window / 2), using: &rng),
                paddingWidth: Int.random(in: 0...(windowWidth / 2), using: &rng)) else { continue }
            shapes.append(shape)
        }
        // ResNet-50's 3x3 stride-2 max pool, small.
        shapes.append(try! PoolingShape(batch: 1, channels: 16, inputHeight: 18, inputWidth: 40, windowHeight: 3, windowWidth: 3,
                                        strideHeight: 2, strideWidth: 2, paddingHeight: 1, paddingWidth: 1))
        return shapes
    }

    @Test("naive and simd, max and average, both layouts, against Double",
          arguments: ElementwiseVariant.allCases, PoolingKind.allCases)
    func matchesReference(_ variant: ElementwiseVariant, _ kind: PoolingKind) throws {
        var rng = SplitMix64(seed: 61)
        let u = Double(Float.ulpOfOne)
        for shape in Self.randomShapes(seed: 60) {
            for layout in TensorLayout.allCases {
                let x = [Float].random(count: shape.inputCount, in: -4...4, using: &rng)
                var y = [Float](repeating: .nan, count: shape.outputCount)
                try x.withUnsafeBufferPointer { x in
                    try y.withUnsafeMutableBufferPointer { try Pooling.forward(shape, kind: kind, layout: layout, input: x, output: $0, variant: variant) }
                }
                let (c, h, w) = (shape.channels, shape.inputHeight, shape.inputWidth)
                let (oh, ow) = (shape.outputHeight, shape.outputWidth)
                func inputIndex(_ n: Int, _ ch: Int, _ iy: Int, _ ix: Int) -> Int {
                    layout == .nchw ? ((n * c + ch) * h + iy) * w + ix : ((n * h + iy) * w + ix) * c + ch
                }
                var firstFailure: String?
                for n in 0..<shape.batch {
                    for ch in 0..<c {
                        for oy in 0..<oh {
                            for ox in 0..<ow {
                                var maximum = -Double.infinity, sum = 0.0, magnitude = 0.0, count = 0
                                for iy in max(0, oy * shape.strideHeight - shape.paddingHeight)..<min(h, oy * shape.strideHeight - shape.paddingHeight + shape.windowHeight) {
                                    for ix in max(0, ox * shape.strideWidth - shape.paddingWidth)..<min(w, ox * shape.strideWidth - shape.paddingWidth + shape.windowWidth) {
                                        let v = Double(x[inputIndex(n, ch, iy, ix)])
                                        maximum = max(maximum, v); sum += v; magnitude += abs(v); count += 1
                                    }
                                }
                                let expected = kind == .max ? maximum : sum / Double(count)
                                let bound = kind == .max ? 0 : Double(count + 2) * u * magnitude / Double(count)
                                let index = layout == .nchw ? ((n * c + ch) * oh + oy) * ow + ox : ((n * oh + oy) * ow + ox) * c + ch
                                if !(abs(Double(y[index]) - expected) <= bound), firstFailure == nil {
                                    firstFailure = "y[\(n),\(ch),\(oy),\(ox)] = \(y[index]), expected \(expected) +- \(bound)"
                                }
                            }
                        }
                    }
                }
                #expect(firstFailure == nil, "\(variant) \(kind) \(layout) \(shape): \(firstFailure ?? "")")
            }
        }
    }

    /// NHWC outputs whose input and output outgrow `Tuning.streamingStoreBytes` are written with
    /// non-temporal stores (a 32-byte aligned output, channels a multiple of the vector): the
    /// same values as the naive kernel, which the test above holds to the `Double` reference.
    @Test("NHWC past the streaming size matches naive, max and average", arguments: PoolingKind.allCases)
    func streamingStores(_ kind: PoolingKind) throws {
        // A 2x2 window of stride 2 over 64 channels: the output is a quarter of the input, so the
        // input alone is four fifths of the streaming size. An odd side with padding 1: the first
        // and last windows of each row and column cross the edge.
        let channels = 64
        let inputFloats = Tuning.streamingStoreBytes / MemoryLayout<Float>.size * 4 / 5 + 1
        var side = Int(Double(inputFloats / channels).squareRoot().rounded(.up))
        side += side % 2 == 0 ? 1 : 0
        let shape = try PoolingShape(batch: 1, channels: channels, inputHeight: side, inputWidth: side, windowHeight: 2,
                                     windowWidth: 2, strideHeight: 2, strideWidth: 2, paddingHeight: 1, paddingWidth: 1)
        #expect((shape.inputCount + shape.outputCount) * MemoryLayout<Float>.size >= Tuning.streamingStoreBytes)
        var rng = SplitMix64(seed: 62)
        let x = [Float].random(count: shape.inputCount, in: -4...4, using: &rng)
        let streamed = AlignedFloatBuffer(count: shape.outputCount)
        defer { streamed.deallocate() }
        streamed.pointer.update(repeating: .nan, count: shape.outputCount)
        var reference = [Float](repeating: .nan, count: shape.outputCount)
        try x.withUnsafeBufferPointer { x in
            try Pooling.forward(shape, kind: kind, layout: .nhwc, input: x, output: streamed.buffer, variant: .simd)
            try reference.withUnsafeMutableBufferPointer {
                try Pooling.forward(shape, kind: kind, layout: .nhwc, input: x, output: $0, variant: .naive)
            }
        }
        // Both fold a window's taps in the same order and scale by the same 1 / taps.
        let mismatch = (0..<shape.outputCount).first { streamed.pointer[$0] != reference[$0] }
        #expect(mismatch == nil, "\(kind) \(shape): y[\(mismatch ?? -1)] = \(mismatch.map { streamed.pointer[$0] } ?? 0), naive \(mismatch.map { reference[$0] } ?? 0)")
    }

    @Test("bad shapes and buffers name the field")
    func badInput() throws {
        #expect(throws: KernelError.invalidDimension(dimension: "paddingHeight", expected: "0...1 (half the window)", got: 2)) {
            _ = try PoolingShape(batch: 1, channels: 1, inputHeight: 8, inputWidth: 8, windowHeight: 3, windowWidth: 3, paddingHeight: 2)
        }
        #expect(throws: KernelError.invalidDimension(dimension: "outputWidth (from inputWidth, windowWidth, strideWidth, paddingWidth)",
                                                     expected: ">= 1", got: 0)) {
            _ = try PoolingShape(batch: 1, channels: 1, inputHeight: 8, inputWidth: 2, windowHeight: 3, windowWidth: 3)
        }
        let shape = try PoolingShape(batch: 1, channels: 2, inputHeight: 4, inputWidth: 4, windowHeight: 2, windowWidth: 2,
                                     strideHeight: 2, strideWidth: 2)
        var y = [Float](repeating: 0, count: 7)
        #expect(throws: KernelError.shapeMismatch(what: "pooling output elements (batch x channels x outputHeight x outputWidth)",
                                                  expected: "8", got: "7")) {
            try [Float](repeating: 0, count: 32).withUnsafeBufferPointer { x in
                try y.withUnsafeMutableBufferPointer { try Pooling.forward(shape, kind: .max, layout: .nchw, input: x, output: $0) }
            }
        }
    }
}
