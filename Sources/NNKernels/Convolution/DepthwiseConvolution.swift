import _KernelShims

/// Depthwise convolution (one input channel and one output channel per group, MobileNet's
/// 3x3 layers): each output channel is a sum over the window of one input channel, so there
/// is no sum over channels to block for a GEMM tile, and the layer is bound by memory: nine
/// FMAs per output value against a value read and a value written. So it reads the caller's
/// tensor where it lies, in either layout, and writes the output straight into the caller's:
///
/// - NHWC: channels run along the vector lanes, sixteen at a time (two vectors) where there are,
///   over four output pixels of a row at once (per tap, two vectors of weights, eight of input,
///   eight FMAs). Window taps outside
///   the image are skipped: rows by clipping the window per output row, columns by giving the
///   few output pixels near the left and right edges a clipped window of their own. Past half
///   the last-level cache it fetches its input ahead in software and streams its output, as
///   NHWC pooling does.
/// - NCHW: each channel plane is a 2-D stencil, with output columns along the lanes. A worker
///   copies the plane into a zero-bordered buffer of its own (the plane is read from memory once
///   either way; the buffer stays in L2), so no output column is an edge case; then per tap one
///   broadcast weight and, per eight output columns, one load (stride 1) or the even lanes of
///   two (stride 2), in blocks of rows by vectors that suit the plane's width
///   (DepthwiseChannelPlanes.swift).
///
/// An earlier version made a zero-padded channels-last copy of the whole input first, as the
/// tiled direct convolution does: for MobileNet's stride-2 layer at batch 8 (26 MB in) that
/// copy, a zero fill and a copy over it, cost about as much as the convolution.
struct DepthwiseConvolution: @unchecked Sendable {
    typealias Vector = SIMD8<Float>
    static let pixels = 4

    let s: ConvolutionShape
    /// `[tap][channel]`, channels padded to whole vectors with zeros.
    let weights: AlignedFloatBuffer
    /// One value per channel, padded the same way (zeros without a bias).
    let bias: AlignedFloatBuffer
    let paddedChannels: Int

    static func applies(to s: ConvolutionShape) -> Bool {
        s.groups > 1 && s.groups == s.inputChannels && s.groups == s.outputChannels
    }

    init(_ s: ConvolutionShape, weights sourceWeights: UnsafePointer<Float>, bias sourceBias: UnsafePointer<Float>?) {
        self.s = s
        let taps = s.kernelHeight * s.kernelWidth, c = s.inputChannels
        paddedChannels = (c + Vector.scalarCount - 1) / Vector.scalarCount * Vector.scalarCount
        weights = AlignedFloatBuffer(zeroedCount: taps * paddedChannels)
        // OIHW with I = 1: channel ch's taps are contiguous.
        for ch in 0..<c {
            for tap in 0..<taps { weights.pointer[tap * paddedChannels + ch] = sourceWeights[ch * taps + tap] }
        }
        bias = AlignedFloatBuffer(zeroedCount: paddedChannels)
        if let sourceBias { bias.pointer.update(from: sourceBias, count: c) }
    }

    func deallocate() {
        weights.deallocate()
        bias.deallocate()
    }

    /// `y = activation(conv(x) + bias)`, both in `layout`, with no work space of the caller's.
    func run(layout: TensorLayout, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, activation: Activation,
             workers: Int) {
        // One specialization per activation, so no switch is left in the loops.
        switch activation {
        case .identity: run(layout, x: x, y: y, workers: workers, VectorFunctions.Identity())
        case .relu: run(layout, x: x, y: y, workers: workers, VectorFunctions.ReLU())
        case let .leakyReLU(slope): run(layout, x: x, y: y, workers: workers, VectorFunctions.LeakyReLU(slope: slope))
        case .sigmoid: run(layout, x: x, y: y, workers: workers, VectorFunctions.Sigmoid())
        case .tanh: run(layout, x: x, y: y, workers: workers, VectorFunctions.Tanh())
        case .gelu: run(layout, x: x, y: y, workers: workers, VectorFunctions.GELU())
        case .geluErf: run(layout, x: x, y: y, workers: workers, VectorFunctions.GELUErf())
        }
    }

    private func run<F: VectorFunction>(_ layout: TensorLayout, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                                        workers: Int, _ f: F) {
        switch layout {
        case .nhwc:
            // Past half the last-level cache, as pooling does: the input comes from memory and is
            // fetched in software ahead of the pixels (`channelsLastRow`), and the output goes
            // around the caches, when every pixel's channels start on a 32-byte boundary so that
            // no line takes both kinds of store. Alternating rounds at batch 8 against ordinary
            // stores and no fetches, one / two threads (results/depthwise-streaming-20261206):
            // MobileNet's conv3_dw (stride 2, 64 channels) 0.45 / 0.42x and 0.49 / 0.52x the
            // time; stride 1 over 32 and 64 channels 0.72 to 1.02x; a 128-channel stride-2 layer
            // just past the size (16 MB) 1.24 / 1.06x.
            let prefetches = Tuning.outgrowsLastLevelCache(inputFloats: s.inputCount, outputFloats: s.outputCount)
            let streams = prefetches && s.inputChannels % Vector.scalarCount == 0 && Int(bitPattern: y) % 32 == 0
            // Output rows (image, oy) split among the workers.
            ParallelRegion.run(workers: workers) { worker in
                for row in ParallelRegion.share(of: s.batch * s.outputHeight, worker: worker, workers: workers) {
                    channelsLastRow(row, x: x, y: y, prefetches: prefetches, streams: streams, f)
                }
                if streams { nnk_store_fence() }
            }
        case .nchw:
            // Channel planes (image, channel) split among the workers, each with its own buffer.
            let geometry = PlaneGeometry(s)
            ParallelRegion.run(workers: workers) { worker in
                let range = ParallelRegion.share(of: s.batch * s.inputChannels, worker: worker, workers: workers)
                guard !range.isEmpty else { return }
                // The border and the slack past it stay zero: each plane overwrites only the interior.
                let buffer = AlignedFloatBuffer(zeroedCount: geometry.bufferCount)
                defer { buffer.deallocate() }
                for plane in range { channelPlane(plane, geometry, buffer: buffer.pointer, x: x, y: y, f) }
            }
        }
    }

    // MARK: Channels last

    /// The window taps of output position `o` along one axis that fall inside the input:
    /// input index `o * stride - padding + tap * dilation` in `0 ..< extent`.
    @inline(__always)
    static func tapsInside(_ o: Int, stride: Int, padding: Int, dilation: Int, size: Int, extent: Int) -> Range<Int> {
        let first = o * stride - padding
        let lower = first < 0 ? (-first + dilation - 1) / dilation : 0
        let last = extent - 1 - first
        let upper = last < 0 ? 0 : min(size, last / dilation + 1)
        return min(lower, upper)..<upper
    }

    /// One output row (image, oy), every channel: output pixels whose whole window row lies
    /// inside the image four at a time, the rest one at a time with their taps clipped.
    private func channelsLastRow<F: VectorFunction>(_ row: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                                                    prefetches: Bool, streams: Bool, _ f: F) {
        let outputHeight = s.outputHeight, outputWidth = s.outputWidth
        let n = row / outputHeight, oy = row % outputHeight
        let rows = Self.tapsInside(oy, stride: s.strideHeight, padding: s.paddingHeight, dilation: s.dilationHeight,
                                   size: s.kernelHeight, extent: s.inputHeight)
        let image = x + n * s.inputHeight * s.inputWidth * s.inputChannels
        let out = y + row * outputWidth * s.inputChannels
        // Output columns whose taps all lie inside: ox * sw - pw >= 0 and
        // ox * sw - pw + (kw - 1) * dw <= W - 1.
        let firstInside = min(outputWidth, (s.paddingWidth + s.strideWidth - 1) / s.strideWidth)
        let lastTapReach = s.inputWidth - 1 - (s.kernelWidth - 1) * s.dilationWidth + s.paddingWidth
        let endInside = max(firstInside, lastTapReach < 0 ? 0 : min(outputWidth, lastTapReach / s.strideWidth + 1))
        let allColumns = 0..<s.kernelWidth
        // A 3 x 3 window wholly inside the image in height: its tap loops unroll with constant bounds.
        let fullThreeByThree = s.kernelHeight == 3 && s.kernelWidth == 3 && rows == 0..<3
        func pixel(_ ox: Int, columns: Range<Int>) {
            if streams {
                onePixelStreamed(ox: ox, oy: oy, rows: rows, columns: columns, image: image, out: out, f)
            } else {
                onePixel(ox: ox, oy: oy, rows: rows, columns: columns, image: image, out: out, f)
            }
        }
        func edgePixel(_ ox: Int) {
            let columns = Self.tapsInside(ox, stride: s.strideWidth, padding: s.paddingWidth, dilation: s.dilationWidth,
                                          size: s.kernelWidth, extent: s.inputWidth)
            pixel(ox, columns: columns)
        }
        for ox in 0..<firstInside { edgePixel(ox) }
        var ox = firstInside
        let raw = UnsafeRawPointer(image), c = s.inputChannels
        while ox + Self.pixels <= endInside {
            if prefetches {
                // The input columns the window of the block two blocks ahead adds, row by row of
                // the window, into L2 (pooling's rule: into L1 they evicted the lines in use).
                // With the output streamed, conv3_dw took 0.65 / 0.63x the time with these
                // fetches than without, other layers 0.83 to 1.10x (in a build whose pixel blocks
                // ran out of line, so these ratios only point the way).
                let aheadColumn = min(s.inputWidth - 1, max(0, (ox + 2 * Self.pixels) * s.strideWidth - s.paddingWidth))
                let aheadBytes = min(Self.pixels * s.strideWidth, s.inputWidth - aheadColumn) * c * 4
                let firstRow = oy * s.strideHeight - s.paddingHeight
                for ky in rows {
                    let start = raw + ((firstRow + ky * s.dilationHeight) * s.inputWidth + aheadColumn) * c * 4
                    CacheLinePrefetch.toL2(start, bytes: aheadBytes)
                }
            }
            if streams && fullThreeByThree {
                fourPixelsStreamedThreeByThree(ox: ox, oy: oy, image: image, out: out, f)
            } else if streams {
                fourPixelsStreamed(ox: ox, oy: oy, rows: rows, columns: allColumns, image: image, out: out, f)
            } else if fullThreeByThree {
                fourPixelsThreeByThree(ox: ox, oy: oy, image: image, out: out, f)
            } else {
                fourPixels(ox: ox, oy: oy, rows: rows, columns: allColumns, image: image, out: out, f)
            }
            ox += Self.pixels
        }
        while ox < endInside {
            pixel(ox, columns: allColumns)
            ox += 1
        }
        for ox in endInside..<outputWidth { edgePixel(ox) }
    }

    /// `pixelBlock` for four pixels and for one, ordinary stores or streamed, each its own
    /// function with the count and the kind of store constants in it and one call of
    /// `pixelBlock`, so the loops over pixels unroll and the accumulators stay in registers. As
    /// one function taking the count, it was not inlined and kept them in memory; with two calls
    /// a function (one a kind of store), `pixelBlock` stayed out of line and the layers below the
    /// streaming size took 3.4 to 4.7x the time (results/depthwise-streaming-20261206).
    @inline(never)
    private func fourPixels<F: VectorFunction>(ox: Int, oy: Int, rows: Range<Int>, columns: Range<Int>,
                                               image: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, _ f: F) {
        pixelBlock(Self.pixels, ox: ox, oy: oy, rows: rows, columns: columns, image: image, out: out, streams: false, f)
    }

    /// `fourPixels` over a whole 3 x 3 window (MobileNet's layers away from the top and bottom
    /// rows), the tap loops' bounds constants, so they unroll with the tap offsets computed once.
    /// Alternating rounds, one / two threads: MobileNet's conv2_dw at batch 1 0.84 / 0.84x the
    /// time, conv3_dw 0.90 / 0.92x, conv8_dw 0.94 / 0.87x (results/depthwise-three-by-three-20261206).
    @inline(never)
    private func fourPixelsThreeByThree<F: VectorFunction>(ox: Int, oy: Int, image: UnsafePointer<Float>,
                                                           out: UnsafeMutablePointer<Float>, _ f: F) {
        pixelBlock(Self.pixels, ox: ox, oy: oy, rows: 0..<3, columns: 0..<3, image: image, out: out, streams: false, f)
    }

    @inline(never)
    private func fourPixelsStreamedThreeByThree<F: VectorFunction>(ox: Int, oy: Int, image: UnsafePointer<Float>,
                                                                   out: UnsafeMutablePointer<Float>, _ f: F) {
        pixelBlock(Self.pixels, ox: ox, oy: oy, rows: 0..<3, columns: 0..<3, image: image, out: out, streams: true, f)
    }

    @inline(never)
    private func fourPixelsStreamed<F: VectorFunction>(ox: Int, oy: Int, rows: Range<Int>, columns: Range<Int>,
                                                       image: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, _ f: F) {
        pixelBlock(Self.pixels, ox: ox, oy: oy, rows: rows, columns: columns, image: image, out: out, streams: true, f)
    }

    @inline(never)
    private func onePixel<F: VectorFunction>(ox: Int, oy: Int, rows: Range<Int>, columns: Range<Int>,
                                             image: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, _ f: F) {
        pixelBlock(1, ox: ox, oy: oy, rows: rows, columns: columns, image: image, out: out, streams: false, f)
    }

    @inline(never)
    private func onePixelStreamed<F: VectorFunction>(ox: Int, oy: Int, rows: Range<Int>, columns: Range<Int>,
                                                     image: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, _ f: F) {
        pixelBlock(1, ox: ox, oy: oy, rows: rows, columns: columns, image: image, out: out, streams: true, f)
    }

    /// Output pixels ox ..< ox + count (count is 4 or 1, a constant once inlined) of row oy, every
    /// channel, over the window taps `rows` x `columns` (those inside the image for every one of
    /// them). Sixteen channels at a time where there are: eight chains of FMAs for four pixels,
    /// enough to cover the FMA latency on both pipes; then eight, then the last few one by one.
    @inline(__always)
    private func pixelBlock<F: VectorFunction>(_ count: Int, ox: Int, oy: Int, rows: Range<Int>, columns: Range<Int>,
                                               image: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, streams: Bool, _ f: F) {
        let c = s.inputChannels, width = Vector.scalarCount
        let pixelStep = s.strideWidth * c
        // Input offset of tap (0, 0) of the first pixel; may lie outside the image, but every
        // tap used lies inside.
        let origin = ((oy * s.strideHeight - s.paddingHeight) * s.inputWidth + ox * s.strideWidth - s.paddingWidth) * c
        let rawImage = UnsafeRawPointer(image), rawWeights = UnsafeRawPointer(weights.pointer)
        // `vectors` vectors of channels from `channel` on, for every pixel of the block.
        @inline(__always) func channels(_ channel: Int, vectors: Int) {
            var acc = InlineArray<8, Vector>(repeating: .zero)
            for u in 0..<vectors {
                let b = UnsafeRawPointer(bias.pointer + channel + u * width).load(as: Vector.self)
                for p in 0..<count { acc[u * 4 + p] = b }
            }
            for ky in rows {
                for kx in columns {
                    let tapChannel = (ky * s.kernelWidth + kx) * paddedChannels + channel
                    let tap = origin + (ky * s.dilationHeight * s.inputWidth + kx * s.dilationWidth) * c + channel
                    for u in 0..<vectors {
                        let w = rawWeights.load(fromByteOffset: (tapChannel + u * width) * 4, as: Vector.self)
                        for p in 0..<count {
                            acc[u * 4 + p].addProduct(
                                rawImage.loadUnaligned(fromByteOffset: (tap + p * pixelStep + u * width) * 4, as: Vector.self), w)
                        }
                    }
                }
            }
            for u in 0..<vectors {
                for p in 0..<count {
                    VectorStore.store(f(acc[u * 4 + p]), at: out + (ox + p) * c + channel + u * width, streaming: streams)
                }
            }
        }
        var channel = 0
        while channel + 2 * width <= c {
            channels(channel, vectors: 2)
            channel += 2 * width
        }
        if channel + width <= c {
            channels(channel, vectors: 1)
            channel += width
        }
        if channel < c {
            // The last channels, fewer than a vector: gathered one value at a time, so nothing
            // is read or written past a pixel's channels.
            for p in 0..<count {
                var acc = UnsafeRawPointer(bias.pointer + channel).load(as: Vector.self)
                for ky in rows {
                    for kx in columns {
                        let w = UnsafeRawPointer(weights.pointer + (ky * s.kernelWidth + kx) * paddedChannels + channel).load(as: Vector.self)
                        let source = image + origin + (ky * s.dilationHeight * s.inputWidth + kx * s.dilationWidth) * c
                            + p * pixelStep + channel
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
