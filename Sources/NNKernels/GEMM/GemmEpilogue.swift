/// What happens to each output tile after its last k slice, while it is still in registers:
/// `C = activation(alpha * op(A) * op(B) + beta * C + bias)`, the bias broadcast down the
/// columns (one value per output feature). XNNPACK applies its activations the same way, as an
/// epilogue parameter of the one microkernel, so a dense layer makes one pass over its output.
public struct GemmEpilogue: @unchecked Sendable {
    /// One value per column of C, `n` of them; nil for no bias.
    public var bias: UnsafePointer<Float>?
    /// One value per row of C, `m` of them (a convolution in NCHW, whose rows are output
    /// channels); nil for none.
    public var rowBias: UnsafePointer<Float>?
    public var activation: Activation

    public init(bias: UnsafePointer<Float>? = nil, rowBias: UnsafePointer<Float>? = nil, activation: Activation = .identity) {
        self.bias = bias
        self.rowBias = rowBias
        self.activation = activation
    }

    public static let none = GemmEpilogue()

    public var isNone: Bool { bias == nil && rowBias == nil && activation == .identity }
}

/// The epilogue as one microkernel call sees it: `bias` points at the tile's first column and
/// can be read for all NR columns (the driver pads it with zeros past n).
public struct TileEpilogue {
    public var bias: UnsafePointer<Float>?
    /// Points at the tile's first row; readable for all MR rows.
    public var rowBias: UnsafePointer<Float>?
    public var activation: Activation

    @inline(__always)
    public init(bias: UnsafePointer<Float>?, rowBias: UnsafePointer<Float>? = nil, activation: Activation) {
        self.bias = bias
        self.rowBias = rowBias
        self.activation = activation
    }

    public static var none: TileEpilogue { TileEpilogue(bias: nil, activation: .identity) }

    /// The same epilogue for the tile's rows from `first` on (its row bias moved with them).
    @inline(__always)
    func rows(from first: Int) -> TileEpilogue {
        var result = self
        result.rowBias = rowBias.map { $0 + first }
        return result
    }

    /// A pattern match, not `==`: the derived equality of `Activation` (which carries a slope)
    /// stayed a call, and around it the microkernel spilled its whole tile of accumulators to
    /// the stack and loaded it back (all vector registers are caller-saved).
    @inline(__always)
    var isNone: Bool {
        guard bias == nil && rowBias == nil, case .identity = activation else { return false }
        return true
    }
}

/// Activations on any Float vector type through the SIMD8 implementations of
/// `Activation.simd`, so every microkernel (SIMD4, SIMD8, SIMD16) computes identical values.
enum VectorActivation {
    typealias V8 = SIMD8<Float>

    @inline(__always)
    static func apply<Vector: SIMD>(_ x: Vector, _ f: (V8) -> V8) -> Vector where Vector.Scalar == Float {
        if Vector.self == V8.self {
            return unsafeBitCast(f(unsafeBitCast(x, to: V8.self)), to: Vector.self)
        }
        if Vector.self == SIMD16<Float>.self {
            let wide = unsafeBitCast(x, to: SIMD16<Float>.self)
            return unsafeBitCast(SIMD16(lowHalf: f(wide.lowHalf), highHalf: f(wide.highHalf)), to: Vector.self)
        }
        if Vector.self == SIMD4<Float>.self {
            let narrow = unsafeBitCast(x, to: SIMD4<Float>.self)
            return unsafeBitCast(f(V8(lowHalf: narrow, highHalf: narrow)).lowHalf, to: Vector.self)
        }
        // Any other width: eight lanes at a time through a scratch vector.
        var result = x
        var lane = 0
        while lane < Vector.scalarCount {
            var chunk = V8.zero
            for i in 0..<min(8, Vector.scalarCount - lane) { chunk[i] = x[lane + i] }
            let done = f(chunk)
            for i in 0..<min(8, Vector.scalarCount - lane) { result[lane + i] = done[i] }
            lane += 8
        }
        return result
    }

    /// ReLU and leaky ReLU at the vector's own width when it is SIMD16: through two SIMD8
    /// halves, each vector of a sixteen-lane tile took five instructions instead of one
    /// (LeNet's tiles have nine FMA steps, so the epilogue is a large share of them).
    @inline(__always)
    static func relu<Vector: SIMD>(_ x: Vector) -> Vector where Vector.Scalar == Float {
        if Vector.self == SIMD16<Float>.self {
            let v = unsafeBitCast(x, to: SIMD16<Float>.self)
            return unsafeBitCast(v.replacing(with: 0, where: v .< 0), to: Vector.self)
        }
        return apply(x) { Activation.relu.simd($0) }
    }

    @inline(__always)
    static func leakyReLU<Vector: SIMD>(_ x: Vector, slope: Float) -> Vector where Vector.Scalar == Float {
        if Vector.self == SIMD16<Float>.self {
            let v = unsafeBitCast(x, to: SIMD16<Float>.self)
            return unsafeBitCast(v.replacing(with: v * slope, where: v .< 0), to: Vector.self)
        }
        return apply(x) { $0.replacing(with: $0 * slope, where: $0 .< 0) }
    }
}

extension GemmEpilogue {
    /// Applies the epilogue to columns `columns` of every row of an m-row C that already holds
    /// `alpha * op(A) * op(B) + beta * C`: for the paths with no register tile (fewer rows than
    /// one micro-panel, K = 0, alpha = 0), each row slice while it is still in cache.
    func apply(rows: Int, columns: Range<Int>, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if isNone || columns.isEmpty { return }
        for i in 0..<rows {
            let row = c + i * ldc + columns.lowerBound
            if let rowBias = self.rowBias {
                let value = rowBias[i]
                for j in 0..<columns.count { row[j] += value }
            }
            let rowBias = bias.map { $0 + columns.lowerBound }
            switch activation {
            case .identity: Self.biasActivate(row, rowBias, columns.count, VectorFunctions.Identity())
            case .relu: Self.biasActivate(row, rowBias, columns.count, VectorFunctions.ReLU())
            case let .leakyReLU(slope): Self.biasActivate(row, rowBias, columns.count, VectorFunctions.LeakyReLU(slope: slope))
            case .sigmoid: Self.biasActivate(row, rowBias, columns.count, VectorFunctions.Sigmoid())
            case .tanh: Self.biasActivate(row, rowBias, columns.count, VectorFunctions.Tanh())
            case .gelu: Self.biasActivate(row, rowBias, columns.count, VectorFunctions.GELU())
            case .geluErf: Self.biasActivate(row, rowBias, columns.count, VectorFunctions.GELUErf())
            }
        }
    }

    /// `row[j] = f(row[j] + bias[j])` eight lanes at a time; the tail goes through the same f.
    /// f is a type, so its body is inlined (see `VectorFunction`).
    @inline(__always)
    static func biasActivate<F: VectorFunction>(_ row: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>?, _ count: Int,
                                                _ f: F) {
        typealias V = SIMD8<Float>
        let raw = UnsafeMutableRawPointer(row)
        var j = 0
        while j + V.scalarCount <= count {
            var value = raw.loadUnaligned(fromByteOffset: j * 4, as: V.self)
            if let bias { value += UnsafeRawPointer(bias).loadUnaligned(fromByteOffset: j * 4, as: V.self) }
            raw.storeBytes(of: f(value), toByteOffset: j * 4, as: V.self)
            j += V.scalarCount
        }
        if j < count {
            var tail = V.zero
            for lane in 0..<(count - j) { tail[lane] = row[j + lane] + (bias?[j + lane] ?? 0) }
            let result = f(tail)
            for lane in 0..<(count - j) { row[j + lane] = result[lane] }
        }
    }
}
