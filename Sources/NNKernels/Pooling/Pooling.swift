import _KernelShims

/// Max and average pooling, `naive` (one value at a time) and `simd`:
/// - NHWC: each window tap is a run of contiguous channels, so vectors run along the channels;
/// - NCHW: separable, the window's rows folded into a row buffer padded with the identity,
///   then vectors run along output columns of it: plain loads for stride 1, the even lanes of two
///   adjacent loads for stride 2; other strides go one value at a time.
/// Max pooling keeps the first of equal values and ignores NaN only where `>` does (both
/// variants compare the same way).
public enum Pooling {
    typealias Vector = SIMD8<Float>

    public static func forward(_ s: PoolingShape, kind: PoolingKind, layout: TensorLayout, input: UnsafeBufferPointer<Float>,
                               output: UnsafeMutableBufferPointer<Float>, variant: ElementwiseVariant = .simd) throws {
        try KernelError.checkCount("pooling input elements (batch x channels x inputHeight x inputWidth)",
                                   expected: s.inputCount, got: input.count)
        try KernelError.checkCount("pooling output elements (batch x channels x outputHeight x outputWidth)",
                                   expected: s.outputCount, got: output.count)
        guard s.outputCount > 0, let x = input.baseAddress, let y = output.baseAddress else { return }
        switch (variant, layout) {
        case (.naive, _): naive(s, kind, layout, x, y)
        case (.simd, .nhwc): kind == .max ? channelsLast(s, x, y, MaxPooling.self) : channelsLast(s, x, y, AveragePooling.self)
        case (.simd, .nchw): kind == .max ? planes(s, x, y, MaxPooling.self) : planes(s, x, y, AveragePooling.self)
        }
    }

    static func naive(_ s: PoolingShape, _ kind: PoolingKind, _ layout: TensorLayout, _ x: UnsafePointer<Float>,
                      _ y: UnsafeMutablePointer<Float>) {
        for n in 0..<s.batch {
            for c in 0..<s.channels {
                for oy in 0..<s.outputHeight {
                    let rows = s.window(oy, stride: s.strideHeight, padding: s.paddingHeight, size: s.windowHeight, extent: s.inputHeight)
                    for ox in 0..<s.outputWidth {
                        let columns = s.window(ox, stride: s.strideWidth, padding: s.paddingWidth, size: s.windowWidth, extent: s.inputWidth)
                        var result: Float = kind == .max ? -.infinity : 0
                        for iy in rows {
                            for ix in columns {
                                let value = x[layout.offset(n: n, c: c, h: iy, w: ix, channels: s.channels,
                                                            height: s.inputHeight, width: s.inputWidth)]
                                if kind == .max {
                                    if value > result { result = value }
                                } else {
                                    result += value
                                }
                            }
                        }
                        if kind == .average { result *= 1 / Float(rows.count * columns.count) }
                        y[layout.offset(n: n, c: c, h: oy, w: ox, channels: s.channels, height: s.outputHeight, width: s.outputWidth)] = result
                    }
                }
            }
        }
    }

    /// NHWC: for each output pixel, blocks of 32 channels (four vectors) are folded over the
    /// window in registers and stored once; the remaining channels a vector, then a value, at a time.
    static func channelsLast<Op: PoolingOperation>(_ s: PoolingShape, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                                   _: Op.Type) {
        // Output sizes are computed properties (a division each): read once, not per pixel.
        let outputHeight = s.outputHeight, outputWidth = s.outputWidth
        let c = s.channels, width = Vector.scalarCount
        let blockEnd = c / (4 * width) * (4 * width), vectorEnd = c / width * width
        let raw = UnsafeRawPointer(x)
        // Past the last-level cache the loads wait on memory without software prefetch (batch
        // 8 of ResNet-50's first pooling: 0.57x the time with it, in alternating runs); from the
        // caches the prefetches only cost instructions (1.24 to 1.32x the time at batch 1).
        let prefetches = outgrowsLastLevelCache(s)
        // Past the same size the output goes around the caches, as the elementwise kernels'
        // output does (`Tuning.streamingStoreBytes`): it would be evicted before it is read, and
        // ordinary stores first read every line they fill. Only when every pixel's channels
        // start on a 32-byte boundary, so that no line takes both kinds of store. Alternating
        // runs at batch 8 against ordinary stores: ResNet-50's first pooling 0.85 and 0.96x the
        // time, DenseNet's transition1 0.81 and 1.00x, on a noisy machine where the same binary
        // moved 10% between rounds (results/pooling-streaming-stores-20261206). The NCHW
        // kernel's rows (28 floats for transition1) leave lines half written by each kind of
        // store: 5.6x the time, so it keeps ordinary stores.
        let streams = prefetches && c % width == 0 && Int(bitPattern: y) % 32 == 0
        defer { if streams { nnk_store_fence() } }
        for n in 0..<s.batch {
            for oy in 0..<outputHeight {
                let rows = s.window(oy, stride: s.strideHeight, padding: s.paddingHeight, size: s.windowHeight, extent: s.inputHeight)
                for ox in 0..<outputWidth {
                    let columns = s.window(ox, stride: s.strideWidth, padding: s.paddingWidth, size: s.windowWidth, extent: s.inputWidth)
                    let taps = rows.count * columns.count, scale = Vector(repeating: 1 / Float(taps))
                    let out = y + ((n * outputHeight + oy) * outputWidth + ox) * c
                    let origin = (n * s.inputHeight * s.inputWidth) * c
                    if prefetches {
                        // The input columns this pixel's window adds, for the pixel eight ahead:
                        // each window row is a stream of its own. Into L2, not L1: fetched into
                        // L1, the lines eight pixels ahead (32 KiB for a 256-channel 2x2 window,
                        // all of L1) took 1.35 to 2x the time at batch 8 (alternating runs:
                        // DenseNet's transition1 0.50x, ResNet-50's first pooling 0.74x, the 3x3
                        // stride-1 one 0.58x with L2; results/pooling-prefetch-to-l2-20261205).
                        let aheadColumn = min(s.inputWidth - 1, max(0, (ox + 8) * s.strideWidth - s.paddingWidth))
                        let aheadBytes = min(s.strideWidth, s.inputWidth - aheadColumn) * c * 4
                        for iy in rows {
                            let start = raw + (origin + (iy * s.inputWidth + aheadColumn) * c) * 4
                            CacheLinePrefetch.toL2(start, bytes: aheadBytes)
                        }
                    }
                    var j = 0
                    while j < blockEnd {
                        var acc = InlineArray<4, Vector>(repeating: Vector(repeating: Op.identity))
                        for iy in rows {
                            for ix in columns {
                                let offset = (origin + (iy * s.inputWidth + ix) * c + j) * 4
                                for u in 0..<4 {
                                    acc[u] = Op.combine(acc[u], raw.loadUnaligned(fromByteOffset: offset + u * width * 4, as: Vector.self))
                                }
                            }
                        }
                        for u in 0..<4 {
                            VectorStore.store(Op.finish(acc[u], scale: scale), at: out + j + u * width, streaming: streams)
                        }
                        j += 4 * width
                    }
                    while j < vectorEnd {
                        var acc = Vector(repeating: Op.identity)
                        for iy in rows {
                            for ix in columns {
                                acc = Op.combine(acc, raw.loadUnaligned(fromByteOffset: (origin + (iy * s.inputWidth + ix) * c + j) * 4, as: Vector.self))
                            }
                        }
                        VectorStore.store(Op.finish(acc, scale: scale), at: out + j, streaming: streams)
                        j += width
                    }
                    while j < c {
                        var result = Op.identity
                        for iy in rows {
                            for ix in columns { result = Op.combine(result, x[origin + (iy * s.inputWidth + ix) * c + j]) }
                        }
                        out[j] = Op.finish(result, taps: taps)
                        j += 1
                    }
                }
            }
        }
    }

    /// NCHW, separably, one output row at a time:
    /// 1. the window's rows are folded column by column into a row buffer (plain vector loads
    ///    along the input row), whose columns left and right of the image hold the identity;
    /// 2. each vector of eight output columns folds `windowWidth` taps of that buffer: plain
    ///    loads for stride 1, the even lanes of two adjacent loads for stride 2.
    /// Padding columns are identities, so no output column is an edge case and every one goes
    /// eight at a time; average pooling multiplies each column by 1 / its own count of taps inside
    /// the image. Strides above 2 go one value at a time.
    static func planes<Op: PoolingOperation>(_ s: PoolingShape, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                             _: Op.Type) {
        let sw = s.strideWidth
        guard sw <= 2 else {
            for plane in 0..<(s.batch * s.channels) {
                let source = x + plane * s.inputHeight * s.inputWidth
                for oy in 0..<s.outputHeight {
                    let rows = s.window(oy, stride: s.strideHeight, padding: s.paddingHeight, size: s.windowHeight, extent: s.inputHeight)
                    let out = y + (plane * s.outputHeight + oy) * s.outputWidth
                    for ox in 0..<s.outputWidth { edgeColumn(s, source, out, ox: ox, rows: rows, Op.self) }
                }
            }
            return
        }
        // Output sizes are computed properties (a division each): read once, not per vector.
        let outputHeight = s.outputHeight, outputWidth = s.outputWidth
        let width = Vector.scalarCount
        let vectors = (outputWidth + width - 1) / width
        // Buffer column b holds input column b - paddingWidth; output column ox's tap kx is
        // buffer column ox * sw + kx. The last vector's pairs of loads reach past its last tap.
        let bufferCount = vectors * width * sw + s.windowWidth + 2 * width
        // Two row buffers: row oy + 1 is folded into one while row oy is read from the other, so
        // the unaligned reads never wait on stores still in flight (a load that spans two
        // recent stores cannot be forwarded from them).
        let buffers = AlignedFloatBuffer(count: 2 * bufferCount)
        // 1 / taps of each output column, one table for each count of window rows inside the
        // image (1 ... windowHeight; every window holds at least one): a multiply per vector,
        // where a division would hold the divider for several cycles.
        let tableCount = vectors * width
        let scales = AlignedFloatBuffer(count: s.windowHeight * tableCount)
        defer {
            buffers.deallocate()
            scales.deallocate()
        }
        buffers.pointer.update(repeating: Op.identity, count: 2 * bufferCount)
        for ox in 0..<tableCount {
            let columns = ox < outputWidth ? s.window(ox, stride: sw, padding: s.paddingWidth, size: s.windowWidth, extent: s.inputWidth).count : 1
            for rowsInside in 1...s.windowHeight { scales.pointer[(rowsInside - 1) * tableCount + ox] = 1 / Float(rowsInside * columns) }
        }
        let outputCount = s.outputCount
        let prefetches = outgrowsLastLevelCache(s)
        for plane in 0..<(s.batch * s.channels) {
            let source = x + plane * s.inputHeight * s.inputWidth
            foldRows(s, source, oy: 0, into: buffers.pointer + s.paddingWidth, prefetches: prefetches, Op.self)
            for oy in 0..<outputHeight {
                let buffer = buffers.pointer + (oy % 2) * bufferCount
                if oy + 1 < outputHeight {
                    foldRows(s, source, oy: oy + 1, into: buffers.pointer + ((oy + 1) % 2) * bufferCount + s.paddingWidth,
                             prefetches: prefetches, Op.self)
                }
                let rawBuffer = UnsafeRawPointer(buffer)
                let rows = s.window(oy, stride: s.strideHeight, padding: s.paddingHeight, size: s.windowHeight, extent: s.inputHeight)
                let rawScales = UnsafeRawPointer(scales.pointer + (rows.count - 1) * tableCount)
                // Output rows follow one another in memory and are written in order, so the last
                // vector of a row may run into the rows after it, which are overwritten later: a
                // full store, not one value at a time. Rows too near the end of the output stop
                // at their own end.
                let rowStart = (plane * outputHeight + oy) * outputWidth
                let out = y + rowStart
                let fullVectors = rowStart + vectors * width <= outputCount ? vectors : outputWidth / width
                // Eight output columns at a time from row oy's buffer.
                @inline(__always) func outputVector(_ v: Int) -> Vector {
                    var acc = Vector(repeating: Op.identity)
                    let first = v * width * sw
                    if sw == 1 {
                        for kx in 0..<s.windowWidth {
                            acc = Op.combine(acc, rawBuffer.loadUnaligned(fromByteOffset: (first + kx) * 4, as: Vector.self))
                        }
                    } else {
                        for kx in 0..<s.windowWidth {
                            let offset = (first + kx) * 4
                            acc = Op.combine(acc, nnk_even_lanes16(rawBuffer.loadUnaligned(fromByteOffset: offset, as: Vector.self),
                                                                   rawBuffer.loadUnaligned(fromByteOffset: offset + 32, as: Vector.self)))
                        }
                    }
                    return Op.finish(acc, scale: rawScales.loadUnaligned(fromByteOffset: v * width * 4, as: Vector.self))
                }
                for v in 0..<fullVectors {
                    UnsafeMutableRawPointer(out + v * width).storeBytes(of: outputVector(v), as: Vector.self)
                }
                if fullVectors < vectors {
                    let result = outputVector(fullVectors)
                    for lane in 0..<(outputWidth - fullVectors * width) { out[fullVectors * width + lane] = result[lane] }
                }
            }
        }
    }

    /// Whether a pooling's input and output together outgrow half the last-level cache
    /// (`Tuning.streamingStoreBytes`): past it the kernels prefetch their input in software, and
    /// NHWC streams its output.
    static func outgrowsLastLevelCache(_ s: PoolingShape) -> Bool {
        Tuning.outgrowsLastLevelCache(inputFloats: s.inputCount, outputFloats: s.outputCount)
    }

    /// Folds the window rows of output row `oy` column by column into `row` (input column ix
    /// at `row[ix]`), starting from the identity as the naive loop does.
    @inline(__always)
    static func foldRows<Op: PoolingOperation>(_ s: PoolingShape, _ source: UnsafePointer<Float>, oy: Int,
                                               into row: UnsafeMutablePointer<Float>, prefetches: Bool, _: Op.Type) {
        let width = Vector.scalarCount
        let rows = s.window(oy, stride: s.strideHeight, padding: s.paddingHeight, size: s.windowHeight, extent: s.inputHeight)
        let vectorEnd = s.inputWidth / width * width
        let first = UnsafeRawPointer(source + rows.lowerBound * s.inputWidth), rowBytes = s.inputWidth * 4
        // Input rows are read a few hundred bytes at a time with work in between, and the hardware
        // prefetcher alone leaves the loads waiting on memory once a batch outgrows the caches:
        // fetch eight rows ahead (measured at batch 8: 1.8 to 2.0 ms against 2.9 to 3.5 without,
        // for ResNet-50's first pooling), at most 4 KiB, which stays well inside L1. Only past
        // the last-level cache (`outgrowsLastLevelCache`): from L3 the stride-1 layer at batch 8 spent
        // a third of its row folding on the prefetches.
        let prefetchDistance = min(8 * rowBytes, 4096)
        var ix = 0
        // With the row count a constant (the 2- and 3-row windows of common pooling layers), the
        // loop over rows unrolls and no per-vector loop over rows remains; whether to prefetch is
        // a constant too, so no test of it is left in the loop.
        @inline(__always) func foldVectors(rowCount: Int, prefetch: Bool) {
            while ix < vectorEnd {
                var acc = Vector(repeating: Op.identity)
                for r in 0..<rowCount {
                    acc = Op.combine(acc, first.loadUnaligned(fromByteOffset: r * rowBytes + ix * 4, as: Vector.self))
                    if prefetch { nnk_prefetch_for_read(first + prefetchDistance + r * rowBytes + ix * 4) }
                }
                UnsafeMutableRawPointer(row + ix).storeBytes(of: acc, as: Vector.self)
                ix += width
            }
        }
        switch (rows.count, prefetches) {
        case (1, true): foldVectors(rowCount: 1, prefetch: true)
        case (2, true): foldVectors(rowCount: 2, prefetch: true)
        case (3, true): foldVectors(rowCount: 3, prefetch: true)
        case (1, false): foldVectors(rowCount: 1, prefetch: false)
        case (2, false): foldVectors(rowCount: 2, prefetch: false)
        case (3, false): foldVectors(rowCount: 3, prefetch: false)
        default: foldVectors(rowCount: rows.count, prefetch: prefetches)
        }
        while ix < s.inputWidth {
            var acc = Op.identity
            for iy in rows { acc = Op.combine(acc, source[iy * s.inputWidth + ix]) }
            row[ix] = acc
            ix += 1
        }
    }

    /// One output column whose window crosses the image edge (or any column, for strides
    /// above 2), one value at a time.
    @inline(__always)
    static func edgeColumn<Op: PoolingOperation>(_ s: PoolingShape, _ source: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                                 ox: Int, rows: Range<Int>, _: Op.Type) {
        let columns = s.window(ox, stride: s.strideWidth, padding: s.paddingWidth, size: s.windowWidth, extent: s.inputWidth)
        var result = Op.identity
        for iy in rows {
            for ix in columns { result = Op.combine(result, source[iy * s.inputWidth + ix]) }
        }
        out[ox] = Op.finish(result, taps: rows.count * columns.count)
    }
}

/// How pooling folds a window: a type parameter, so each kernel is specialized for it and no
/// per-value branch remains.
protocol PoolingOperation {
    static var identity: Float { get }
    static func combine(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float>
    static func combine(_ a: Float, _ b: Float) -> Float
    /// The finished vector, given 1 / (the number of taps in each lane's window), rounded once
    /// from the exact count as the scalar path's `1 / Float(taps)` is.
    static func finish(_ v: SIMD8<Float>, scale: SIMD8<Float>) -> SIMD8<Float>
    static func finish(_ value: Float, taps: Int) -> Float
}

enum MaxPooling: PoolingOperation {
    static var identity: Float { -.infinity }
    @inline(__always) static func combine(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a.replacing(with: b, where: b .> a) }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { b > a ? b : a }
    @inline(__always) static func finish(_ v: SIMD8<Float>, scale: SIMD8<Float>) -> SIMD8<Float> { v }
    @inline(__always) static func finish(_ value: Float, taps: Int) -> Float { value }
}

enum AveragePooling: PoolingOperation {
    static var identity: Float { 0 }
    @inline(__always) static func combine(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a + b }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { a + b }
    @inline(__always) static func finish(_ v: SIMD8<Float>, scale: SIMD8<Float>) -> SIMD8<Float> { v * scale }
    @inline(__always) static func finish(_ value: Float, taps: Int) -> Float { value * (1 / Float(taps)) }
}
