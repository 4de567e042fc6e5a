import _KernelShims

/// Activations over buffers, and row-wise softmax.
public enum Activations {
    typealias Vector = SIMD8<Float>

    /// `output[i] = activation(input[i])`. `output` may be `input` (in place).
    public static func apply(_ activation: Activation, input: UnsafeBufferPointer<Float>,
                             output: UnsafeMutableBufferPointer<Float>, variant: ElementwiseVariant = .simd) throws {
        guard output.count == input.count else {
            throw KernelError.shapeMismatch(what: "activation output elements", expected: "\(input.count)", got: "\(output.count)")
        }
        guard let x = input.baseAddress, let y = output.baseAddress else { return }
        switch variant {
        case .naive: for i in 0..<input.count { y[i] = activation.naive(x[i]) }
        case .simd: applySIMD(activation, x, y, count: input.count)
        }
    }

    @inline(__always)
    static func applySIMD(_ activation: Activation, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        // Each case gets its own loop, so the switch is not inside the loop.
        switch activation {
        case .identity: map(x, y, count, VectorFunctions.Identity())
        case .relu: map(x, y, count, VectorFunctions.ReLU())
        case let .leakyReLU(slope): map(x, y, count, VectorFunctions.LeakyReLU(slope: slope))
        case .sigmoid: map(x, y, count, VectorFunctions.Sigmoid())
        case .tanh: map(x, y, count, VectorFunctions.Tanh())
        case .gelu: map(x, y, count, VectorFunctions.GELU())
        case .geluErf: map(x, y, count, VectorFunctions.GELUErf())
        }
    }

    /// y = f(x) a vector at a time; the tail goes through the same f on a zero-padded vector,
    /// so every element gets the same arithmetic. f is a type (`VectorFunction`), so its body
    /// is inlined into the loop.
    @inline(__always)
    static func map<F: VectorFunction>(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int, _ f: F) {
        var i: Int
        if count * MemoryLayout<Float>.size >= Tuning.streamingStoreBytes, Int(bitPattern: y) % 4 == 0 {
            // Ordinary stores up to a 32-byte boundary of y, then streaming stores (which need one).
            let head = (32 - Int(bitPattern: y) % 32) % 32 / 4
            if head > 0 { mapTail(x, y, head, f) }
            i = mapVectors(x, y, from: head, count: count, f, streaming: true)
            nnk_store_fence()
        } else {
            i = mapVectors(x, y, from: 0, count: count, f, streaming: false)
        }
        if i < count { mapTail(x + i, y + i, count - i, f) }
    }

    /// Floats ahead of the one being read at which the two-stage loop prefetches its input.
    static let prefetchDistance = 2048

    /// Whole vectors from `start` on: pairs of them when F runs in pairs, otherwise four at a
    /// time; then single ones.
    /// Returns where they stopped. `streaming` is a constant at each call, so each call site
    /// gets its own loops with one kind of store.
    @inline(__always)
    static func mapVectors<F: VectorFunction>(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, from start: Int,
                                              count: Int, _ f: F, streaming: Bool) -> Int {
        let width = Vector.scalarCount
        let rx = UnsafeRawPointer(x)
        @inline(__always) func store(_ v: Vector, at index: Int) { VectorStore.store(v, at: y + index, streaming: streaming) }
        var i = start
        if F.splitsInTwo {
            // Blocks of 16 pairs (1 KiB, in L1): the first stage of each, then the second.
            let pairs = 16, block = pairs * 2 * width
            withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: pairs) { firsts in
                while i + block <= count {
                    for p in 0..<pairs {
                        // Past the last-level cache, the input is asked for 8 KiB ahead, a
                        // line a pair: with the hardware prefetcher alone this compute-bound
                        // loop ran about a fifth slower an element over 64 MiB than from L3,
                        // and the prefetch takes 5 to 8% off (results/sigmoid-prefetch-20261203).
                        if streaming { nnk_prefetch_for_read(x + i + p * 2 * width + prefetchDistance) }
                        firsts[p] = f.firstStage(rx.loadUnaligned(fromByteOffset: (i + p * 2 * width) * 4, as: SIMD16<Float>.self))
                    }
                    for p in 0..<pairs {
                        let index = i + p * 2 * width
                        let result = f.secondStage(rx.loadUnaligned(fromByteOffset: index * 4, as: SIMD16<Float>.self), firsts[p])
                        store(result.lowHalf, at: index)
                        store(result.highHalf, at: index + width)
                    }
                    i += block
                }
            }
        }
        if F.runsInPairs {
            while i + 2 * width <= count {
                let result = f(rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self))
                store(result.lowHalf, at: i)
                store(result.highHalf, at: i + width)
                i += 2 * width
            }
        }
        if !F.runsInPairs {
            // Four independent vectors an iteration for the cheap functions (ReLU, leaky ReLU),
            // which are bound by moving data: at one vector an iteration their loop ran 1.3 to
            // 1.5 times slower when unrelated code moved it across a 64-byte line.
            while i + 4 * width <= count {
                let v0 = f(rx.loadUnaligned(fromByteOffset: i * 4, as: Vector.self))
                let v1 = f(rx.loadUnaligned(fromByteOffset: (i + width) * 4, as: Vector.self))
                let v2 = f(rx.loadUnaligned(fromByteOffset: (i + 2 * width) * 4, as: Vector.self))
                let v3 = f(rx.loadUnaligned(fromByteOffset: (i + 3 * width) * 4, as: Vector.self))
                store(v0, at: i)
                store(v1, at: i + width)
                store(v2, at: i + 2 * width)
                store(v3, at: i + 3 * width)
                i += 4 * width
            }
        }
        while i + width <= count {
            store(f(rx.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)), at: i)
            i += width
        }
        return i
    }

    /// Fewer than eight elements through the same f on a zero-padded vector.
    @inline(__always)
    static func mapTail<F: VectorFunction>(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int, _ f: F) {
        var tail = Vector.zero
        for lane in 0..<count { tail[lane] = x[lane] }
        let result = f(tail)
        for lane in 0..<count { y[lane] = result[lane] }
    }

    /// Row-wise softmax of a `rows x columns` matrix: `y = exp(x - max) / sum(exp(x - max))`,
    /// subtracting the row maximum first so no exp overflows. Defined for the edge cases as the
    /// limit of the formula: a row holding NaN gives NaN throughout; a row holding +inf shares
    /// all the mass equally among its +inf entries; a row of only -inf gives NaN (0 / 0).
    public static func softmax(rows: Int, columns: Int, input: UnsafeBufferPointer<Float>, inputStride: Int,
                               output: UnsafeMutableBufferPointer<Float>, outputStride: Int,
                               variant: ElementwiseVariant = .simd) throws {
        try KernelError.checkNonNegative("rows", rows)
        try KernelError.checkNonNegative("columns", columns)
        try KernelError.checkLeadingDimension("inputStride", inputStride, atLeast: columns)
        try KernelError.checkLeadingDimension("outputStride", outputStride, atLeast: columns)
        try KernelError.checkMatrixBuffer("softmax input", count: input.count, rows: rows, cols: columns, ld: inputStride)
        try KernelError.checkMatrixBuffer("softmax output", count: output.count, rows: rows, cols: columns, ld: outputStride)
        guard rows > 0, columns > 0, let x = input.baseAddress, let y = output.baseAddress else { return }
        for row in 0..<rows {
            softmaxRow(x + row * inputStride, y + row * outputStride, columns, variant)
        }
    }

    static func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _ variant: ElementwiseVariant) {
        var maximum = -Float.infinity
        var sawNaN = false
        for i in 0..<n {
            if x[i].isNaN { sawNaN = true }
            maximum = max(maximum, x[i])
        }
        if sawNaN || maximum == -.infinity {
            y.update(repeating: .nan, count: n)
            return
        }
        if maximum == .infinity {
            var infinities = 0
            for i in 0..<n where x[i] == .infinity { infinities += 1 }
            for i in 0..<n { y[i] = x[i] == .infinity ? 1 / Float(infinities) : 0 }
            return
        }
        var sum: Float = 0
        switch variant {
        case .naive:
            for i in 0..<n {
                y[i] = Foundation.exp(x[i] - maximum)
                sum += y[i]
            }
            for i in 0..<n { y[i] /= sum }
        case .simd:
            let shift = Vector(repeating: maximum)
            var sums = Vector.zero
            let width = Vector.scalarCount
            let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
            var i = 0
            while i + width <= n {
                let e = VectorMath.expUpTo44(rx.loadUnaligned(fromByteOffset: i * 4, as: Vector.self) - shift)
                ry.storeBytes(of: e, toByteOffset: i * 4, as: Vector.self)
                sums += e
                i += width
            }
            sum = sums.sum()
            while i < n {
                var tail = Vector(repeating: -.infinity)
                for lane in 0..<min(width, n - i) { tail[lane] = x[i + lane] }
                let e = VectorMath.expUpTo44(tail - shift)
                for lane in 0..<min(width, n - i) { y[i + lane] = e[lane]; sum += e[lane] }
                i += width
            }
            let scale = Vector(repeating: 1 / sum)
            map(UnsafePointer(y), y, n, VectorFunctions.Scale(factor: scale))
        }
    }
}

import Foundation
