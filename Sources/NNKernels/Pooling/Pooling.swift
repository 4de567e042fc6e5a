/// Max and average pooling, `naive` (one value at a time) and `simd`:
/// - NHWC: each window tap is a run of contiguous channels, so vectors run along the channels;
/// - NCHW: vectors run along output columns: with stride 1 they are plain loads, with stride 2
///   a 16-lane load keeps its even lanes; columns whose window crosses the image edge, and other
///   strides, go one value at a time.
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
        let c = s.channels, width = Vector.scalarCount
        let blockEnd = c / (4 * width) * (4 * width), vectorEnd = c / width * width
        let raw = UnsafeRawPointer(x)
        for n in 0..<s.batch {
            for oy in 0..<s.outputHeight {
                let rows = s.window(oy, stride: s.strideHeight, padding: s.paddingHeight, size: s.windowHeight, extent: s.inputHeight)
                for ox in 0..<s.outputWidth {
                    let columns = s.window(ox, stride: s.strideWidth, padding: s.paddingWidth, size: s.windowWidth, extent: s.inputWidth)
                    let taps = rows.count * columns.count
                    let out = UnsafeMutableRawPointer(y + ((n * s.outputHeight + oy) * s.outputWidth + ox) * c)
                    let origin = (n * s.inputHeight * s.inputWidth) * c
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
                        for u in 0..<4 { out.storeBytes(of: Op.finish(acc[u], taps: taps), toByteOffset: (j + u * width) * 4, as: Vector.self) }
                        j += 4 * width
                    }
                    while j < vectorEnd {
                        var acc = Vector(repeating: Op.identity)
                        for iy in rows {
                            for ix in columns {
                                acc = Op.combine(acc, raw.loadUnaligned(fromByteOffset: (origin + (iy * s.inputWidth + ix) * c + j) * 4, as: Vector.self))
                            }
                        }
                        out.storeBytes(of: Op.finish(acc, taps: taps), toByteOffset: j * 4, as: Vector.self)
                        j += width
                    }
                    while j < c {
                        var result = Op.identity
                        for iy in rows {
                            for ix in columns { result = Op.combine(result, x[origin + (iy * s.inputWidth + ix) * c + j]) }
                        }
                        let slot = out.assumingMemoryBound(to: Float.self) + j
                        slot.pointee = result
                        Op.finish(slot, count: 1, taps: taps)
                        j += 1
                    }
                }
            }
        }
    }

    /// NCHW: each plane on its own; output columns whose whole window lies inside the image go
    /// eight at a time.
    static func planes<Op: PoolingOperation>(_ s: PoolingShape, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                             _: Op.Type) {
        let width = Vector.scalarCount
        let sw = s.strideWidth
        // Interior columns: ox * sw - pw >= 0 and ox * sw - pw + windowWidth <= inputWidth.
        let firstInterior = Swift.min(s.outputWidth, (s.paddingWidth + sw - 1) / sw)
        let room = s.inputWidth + s.paddingWidth - s.windowWidth
        let endInterior = Swift.max(firstInterior, Swift.min(s.outputWidth, room < 0 ? 0 : room / sw + 1))
        // A stride-2 vector loads 16 values, one past its last window: that column must be
        // inside the image too, so the next output column's window must be interior as well.
        let reach = width + (sw == 2 ? 1 : 0)
        let vectorized = sw == 1 || sw == 2
        for plane in 0..<(s.batch * s.channels) {
            let source = x + plane * s.inputHeight * s.inputWidth
            let target = y + plane * s.outputHeight * s.outputWidth
            for oy in 0..<s.outputHeight {
                let rows = s.window(oy, stride: s.strideHeight, padding: s.paddingHeight, size: s.windowHeight, extent: s.inputHeight)
                let out = target + oy * s.outputWidth
                let lastVector = endInterior - reach
                var scalarStart = firstInterior
                if vectorized && lastVector >= firstInterior {
                    // Interior columns eight at a time; the last vector is moved back to end at
                    // the interior's edge, recomputing a few columns rather than leaving them scalar.
                    var ox = firstInterior
                    while true {
                        let start = Swift.min(ox, lastVector)
                        // One accumulator per window row: independent chains instead of one
                        // chain of every tap, whose latency would bound the loop.
                        var accs = InlineArray<4, Vector>(repeating: Vector(repeating: Op.identity))
                        for (index, iy) in rows.enumerated() {
                            let row = UnsafeRawPointer(source + iy * s.inputWidth + start * sw - s.paddingWidth)
                            var acc = accs[index & 3]
                            if sw == 1 {
                                for kx in 0..<s.windowWidth {
                                    acc = Op.combine(acc, row.loadUnaligned(fromByteOffset: kx * 4, as: Vector.self))
                                }
                            } else {
                                for kx in 0..<s.windowWidth {
                                    acc = Op.combine(acc, row.loadUnaligned(fromByteOffset: kx * 4, as: SIMD16<Float>.self).evenHalf)
                                }
                            }
                            accs[index & 3] = acc
                        }
                        let acc = Op.combine(Op.combine(accs[0], accs[1]), Op.combine(accs[2], accs[3]))
                        UnsafeMutableRawPointer(out + start).storeBytes(of: Op.finish(acc, taps: rows.count * s.windowWidth), as: Vector.self)
                        if start == lastVector { break }
                        ox += width
                    }
                    scalarStart = lastVector + width
                }
                for ox in 0..<firstInterior { edgeColumn(s, source, out, ox: ox, rows: rows, Op.self) }
                for ox in scalarStart..<Swift.max(scalarStart, s.outputWidth) { edgeColumn(s, source, out, ox: ox, rows: rows, Op.self) }
            }
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
        out[ox] = result
        Op.finish(out + ox, count: 1, taps: rows.count * columns.count)
    }
}

/// How pooling folds a window: a type parameter, so each kernel is specialized for it and no
/// per-value branch remains.
protocol PoolingOperation {
    static var identity: Float { get }
    static func combine(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float>
    static func combine(_ a: Float, _ b: Float) -> Float
    static func finish(_ v: SIMD8<Float>, taps: Int) -> SIMD8<Float>
    static func finish(_ values: UnsafeMutablePointer<Float>, count: Int, taps: Int)
}

enum MaxPooling: PoolingOperation {
    static var identity: Float { -.infinity }
    @inline(__always) static func combine(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a.replacing(with: b, where: b .> a) }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { b > a ? b : a }
    @inline(__always) static func finish(_ v: SIMD8<Float>, taps: Int) -> SIMD8<Float> { v }
    @inline(__always) static func finish(_ values: UnsafeMutablePointer<Float>, count: Int, taps: Int) {}
}

enum AveragePooling: PoolingOperation {
    static var identity: Float { 0 }
    @inline(__always) static func combine(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a + b }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { a + b }
    @inline(__always) static func finish(_ v: SIMD8<Float>, taps: Int) -> SIMD8<Float> { v * (1 / Float(taps)) }
    @inline(__always) static func finish(_ values: UnsafeMutablePointer<Float>, count: Int, taps: Int) {
        let scale = 1 / Float(taps)
        for i in 0..<count { values[i] *= scale }
    }
}
