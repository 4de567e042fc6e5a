/// Depthwise convolution (one input channel and one output channel per group, MobileNet's
/// 3x3 layers): each output channel is a sum over the window of one input channel, so there
/// is no sum over channels to block for a GEMM tile. Channels run along the vector lanes
/// instead, eight at a time, over four output pixels of a row at once: per tap, one vector of
/// weights and four of input, four FMAs. Reads the zero-padded channels-last copy that
/// `DirectConvolution` makes (or an unpadded NHWC input as it is) and writes channels-last.
struct DepthwiseConvolution: @unchecked Sendable {
    typealias Vector = SIMD8<Float>
    static let pixels = 4

    let s: ConvolutionShape
    let paddedHeight: Int, paddedWidth: Int
    /// `[tap][channel]`, channels padded to whole vectors with zeros.
    let weights: AlignedFloatBuffer
    /// One value per channel, padded the same way (zeros without a bias).
    let bias: AlignedFloatBuffer
    let paddedChannels: Int

    static func applies(to s: ConvolutionShape) -> Bool {
        s.groups > 1 && s.groups == s.inputChannels && s.groups == s.outputChannels
    }

    init(_ s: ConvolutionShape, weights sourceWeights: UnsafePointer<Float>, bias sourceBias: UnsafePointer<Float>?,
         paddedHeight: Int, paddedWidth: Int) {
        self.s = s
        self.paddedHeight = paddedHeight
        self.paddedWidth = paddedWidth
        let taps = s.kernelHeight * s.kernelWidth, c = s.inputChannels
        paddedChannels = (c + Vector.scalarCount - 1) / Vector.scalarCount * Vector.scalarCount
        weights = AlignedFloatBuffer(count: taps * paddedChannels)
        weights.pointer.update(repeating: 0, count: weights.count)
        // OIHW with I = 1: channel ch's taps are contiguous.
        for ch in 0..<c {
            for tap in 0..<taps { weights.pointer[tap * paddedChannels + ch] = sourceWeights[ch * taps + tap] }
        }
        bias = AlignedFloatBuffer(count: paddedChannels)
        bias.pointer.update(repeating: 0, count: paddedChannels)
        if let sourceBias { bias.pointer.update(from: sourceBias, count: c) }
    }

    func deallocate() {
        weights.deallocate()
        bias.deallocate()
    }

    /// Output rows (image, oy) split among the workers.
    func run(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, activation: Activation, workers: Int) {
        // One specialization per activation, so no switch is left in the loops.
        switch activation {
        case .identity: run(x: x, y: y, workers: workers, VectorFunctions.Identity())
        case .relu: run(x: x, y: y, workers: workers, VectorFunctions.ReLU())
        case let .leakyReLU(slope): run(x: x, y: y, workers: workers, VectorFunctions.LeakyReLU(slope: slope))
        case .sigmoid: run(x: x, y: y, workers: workers, VectorFunctions.Sigmoid())
        case .tanh: run(x: x, y: y, workers: workers, VectorFunctions.Tanh())
        case .gelu: run(x: x, y: y, workers: workers, VectorFunctions.GELU())
        case .geluErf: run(x: x, y: y, workers: workers, VectorFunctions.GELUErf())
        }
    }

    private func run<F: VectorFunction>(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, workers: Int, _ f: F) {
        let rows = s.batch * s.outputHeight
        let perWorker = (rows + workers - 1) / workers
        ParallelRegion.run(workers: workers) { worker in
            for row in min(rows, worker * perWorker)..<min(rows, (worker + 1) * perWorker) {
                outputRow(row, x: x, y: y, f)
            }
        }
    }

    private func outputRow<F: VectorFunction>(_ row: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, _ f: F) {
        let c = s.inputChannels
        let outputHeight = s.outputHeight, outputWidth = s.outputWidth
        let n = row / outputHeight, oy = row % outputHeight
        let image = x + n * paddedHeight * paddedWidth * c
        let out = y + row * outputWidth * c
        var ox = 0
        while ox + Self.pixels <= outputWidth {
            pixelBlock(Self.pixels, ox: ox, oy: oy, image: image, out: out, f)
            ox += Self.pixels
        }
        while ox < outputWidth {
            pixelBlock(1, ox: ox, oy: oy, image: image, out: out, f)
            ox += 1
        }
    }

    /// Output pixels ox ..< ox + count (count is 4 or 1, a constant once inlined) of row oy, every channel.
    @inline(__always)
    private func pixelBlock<F: VectorFunction>(_ count: Int, ox: Int, oy: Int, image: UnsafePointer<Float>,
                                               out: UnsafeMutablePointer<Float>, _ f: F) {
        let c = s.inputChannels, width = Vector.scalarCount
        let vectorChannels = c / width * width
        var channel = 0
        while channel < vectorChannels {
            var acc = InlineArray<4, Vector>(repeating: UnsafeRawPointer(bias.pointer + channel).load(as: Vector.self))
            for ky in 0..<s.kernelHeight {
                let iy = oy * s.strideHeight + ky * s.dilationHeight
                for kx in 0..<s.kernelWidth {
                    let w = UnsafeRawPointer(weights.pointer + (ky * s.kernelWidth + kx) * paddedChannels + channel).load(as: Vector.self)
                    let first = image + (iy * paddedWidth + ox * s.strideWidth + kx * s.dilationWidth) * c + channel
                    for p in 0..<count {
                        acc[p].addProduct(UnsafeRawPointer(first + p * s.strideWidth * c).loadUnaligned(as: Vector.self), w)
                    }
                }
            }
            for p in 0..<count {
                UnsafeMutableRawPointer(out + (ox + p) * c + channel).storeBytes(of: f(acc[p]), as: Vector.self)
            }
            channel += width
        }
        if channel < c {
            // The last channels, fewer than a vector: gathered one value at a time, so nothing
            // is read or written past a pixel's channels.
            for p in 0..<count {
                var acc = UnsafeRawPointer(bias.pointer + channel).load(as: Vector.self)
                for ky in 0..<s.kernelHeight {
                    let iy = oy * s.strideHeight + ky * s.dilationHeight
                    for kx in 0..<s.kernelWidth {
                        let w = UnsafeRawPointer(weights.pointer + (ky * s.kernelWidth + kx) * paddedChannels + channel).load(as: Vector.self)
                        let source = image + (iy * paddedWidth + (ox + p) * s.strideWidth + kx * s.dilationWidth) * c + channel
                        var v = Vector.zero
                        for lane in 0..<(c - channel) { v[lane] = source[lane] }
                        acc.addProduct(v, w)
                    }
                }
                let result = f(acc)
                for lane in 0..<(c - channel) { out[(ox + p) * c + channel + lane] = result[lane] }
            }
        }
    }
}
