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
        if input.count != s.inputCount {
            throw KernelError.shapeMismatch(what: "pooling input elements (batch x channels x inputHeight x inputWidth)",
                                            expected: "\(s.inputCount)", got: "\(input.count)")
        }
        if output.count != s.outputCount {
            throw KernelError.shapeMismatch(what: "pooling output elements (batch x channels x outputHeight x outputWidth)",
                                            expected: "\(s.outputCount)", got: "\(output.count)")
        }
        guard s.outputCount > 0, let x = input.baseAddress, let y = output.baseAddress else { return }
        switch (variant, layout) {
        case (.naive, _): naive(s, kind, layout, x, y)
        case (.simd, .nhwc): kind == .max ? channelsLast(s, x, y, max: true) : channelsLast(s, x, y, max: false)
        case (.simd, .nchw): kind == .max ? planes(s, x, y, max: true) : planes(s, x, y, max: false)
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

    @inline(__always)
    static func combine(_ a: Vector, _ b: Vector, max: Bool) -> Vector {
        max ? a.replacing(with: b, where: b .> a) : a + b
    }

    /// NHWC: for each output pixel, the window's taps combined a vector of channels at a time.
    @inline(__always)
    static func channelsLast(_ s: PoolingShape, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, max: Bool) {
        let c = s.channels, width = Vector.scalarCount
        let start = Vector(repeating: max ? -.infinity : 0)
        let raw = UnsafeRawPointer(x)
        for n in 0..<s.batch {
            for oy in 0..<s.outputHeight {
                let rows = s.window(oy, stride: s.strideHeight, padding: s.paddingHeight, size: s.windowHeight, extent: s.inputHeight)
                for ox in 0..<s.outputWidth {
                    let columns = s.window(ox, stride: s.strideWidth, padding: s.paddingWidth, size: s.windowWidth, extent: s.inputWidth)
                    let scale = Vector(repeating: 1 / Float(rows.count * columns.count))
                    let out = y + ((n * s.outputHeight + oy) * s.outputWidth + ox) * c
                    var channel = 0
                    while channel < c {
                        let lanes = min(width, c - channel)
                        var acc = start
                        for iy in rows {
                            for ix in columns {
                                let offset = ((n * s.inputHeight + iy) * s.inputWidth + ix) * c + channel
                                let value: Vector
                                if lanes == width {
                                    value = raw.loadUnaligned(fromByteOffset: offset * 4, as: Vector.self)
                                } else {
                                    var partial = start
                                    for lane in 0..<lanes { partial[lane] = x[offset + lane] }
                                    value = partial
                                }
                                acc = combine(acc, value, max: max)
                            }
                        }
                        if !max { acc *= scale }
                        if lanes == width {
                            UnsafeMutableRawPointer(out).storeBytes(of: acc, toByteOffset: channel * 4, as: Vector.self)
                        } else {
                            for lane in 0..<lanes { out[channel + lane] = acc[lane] }
                        }
                        channel += width
                    }
                }
            }
        }
    }

    /// NCHW: each plane on its own; output columns whose whole window lies inside the image go
    /// eight at a time.
    @inline(__always)
    static func planes(_ s: PoolingShape, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, max: Bool) {
        let width = Vector.scalarCount
        let sw = s.strideWidth
        // Interior columns: ox * sw - pw >= 0 and ox * sw - pw + windowWidth <= inputWidth.
        let firstInterior = Swift.min(s.outputWidth, (s.paddingWidth + sw - 1) / sw)
        let endInterior = Swift.max(firstInterior, Swift.min(s.outputWidth,
                                                 s.inputWidth + s.paddingWidth - s.windowWidth < 0 ? 0
                                                     : (s.inputWidth + s.paddingWidth - s.windowWidth) / sw + 1))
        let vectorized = sw == 1 || sw == 2
        // A stride-2 vector loads 16 values, one past its last window: that column must be
        // inside the image too, so the next output column's window must be interior as well.
        let reach = width + (sw == 2 ? 1 : 0)
        let start = Vector(repeating: max ? -.infinity : 0)
        for plane in 0..<(s.batch * s.channels) {
            let source = x + plane * s.inputHeight * s.inputWidth
            let target = y + plane * s.outputHeight * s.outputWidth
            for oy in 0..<s.outputHeight {
                let rows = s.window(oy, stride: s.strideHeight, padding: s.paddingHeight, size: s.windowHeight, extent: s.inputHeight)
                let out = target + oy * s.outputWidth
                var ox = 0
                while ox < s.outputWidth {
                    if vectorized && ox >= firstInterior && ox + reach <= endInterior {
                        var acc = start
                        for iy in rows {
                            let row = UnsafeRawPointer(source + iy * s.inputWidth + ox * sw - s.paddingWidth)
                            for kx in 0..<s.windowWidth {
                                let value = sw == 1 ? row.loadUnaligned(fromByteOffset: kx * 4, as: Vector.self)
                                    : row.loadUnaligned(fromByteOffset: kx * 4, as: SIMD16<Float>.self).evenHalf
                                acc = combine(acc, value, max: max)
                            }
                        }
                        if !max { acc *= Vector(repeating: 1 / Float(rows.count * s.windowWidth)) }
                        UnsafeMutableRawPointer(out + ox).storeBytes(of: acc, as: Vector.self)
                        ox += width
                    } else {
                        let columns = s.window(ox, stride: sw, padding: s.paddingWidth, size: s.windowWidth, extent: s.inputWidth)
                        var result: Float = max ? -.infinity : 0
                        for iy in rows {
                            for ix in columns {
                                let value = source[iy * s.inputWidth + ix]
                                if max { if value > result { result = value } } else { result += value }
                            }
                        }
                        if !max { result *= 1 / Float(rows.count * columns.count) }
                        out[ox] = result
                        ox += 1
                    }
                }
            }
        }
    }
}
