import Foundation
import Testing
import NNKernels

/// Error of a Float result against the Double reference, in units in the last place of the
/// correctly rounded result (for subnormal results, of the subnormal spacing 2^-149).
/// Infinite when the result should be NaN or infinite and is not, or the other way round.
func ulpError(_ got: Float, _ reference: Double) -> Double {
    if reference.isNaN { return got.isNaN ? 0 : .infinity }
    let rounded = Float(reference)
    if rounded.isInfinite { return got == rounded ? 0 : .infinity }
    if got.isNaN || got.isInfinite { return .infinity }
    let spacing = rounded == 0 ? Float.leastNonzeroMagnitude : max(rounded.ulp, Float.leastNonzeroMagnitude)
    return abs(Double(got) - reference) / Double(spacing)
}

/// Inputs for a sweep: `count` values evenly spaced over [low, high], plus the awkward ones.
func sweep(_ low: Float, _ high: Float, count: Int) -> [Float] {
    var values = (0..<count).map { low + (high - low) * Float($0) / Float(count - 1) }
    values += [0, -0.0, 1e-30, -1e-30, Float.leastNormalMagnitude, Float.leastNonzeroMagnitude, 0.625, -0.625,
               88.7, 88.73, -87.3, -103.9, -104, 9, -9, 100, -100, 1e30, -1e30, .greatestFiniteMagnitude]
    return values
}

@Suite("Activations")
struct ActivationAccuracyTests {
    func worstError(_ activation: Activation, _ inputs: [Float], variant: ElementwiseVariant) throws -> (Double, Float) {
        var outputs = [Float](repeating: 0, count: inputs.count)
        try inputs.withUnsafeBufferPointer { x in
            try outputs.withUnsafeMutableBufferPointer { y in try Activations.apply(activation, input: x, output: y, variant: variant) }
        }
        // Beyond the kernel's own bound, only the conditioning of a rounded exponent (GELU's).
        var worst = (0.0, Float(0))
        for (x, y) in zip(inputs, outputs) {
            let error = ulpError(y, activation.reference(Double(x))) - activation.argumentRoundingULP(Double(x))
            if error > worst.0 { worst = (error, x) }
        }
        return worst
    }

    /// The ULP bounds documented in VectorMath: measured, then asserted so a change that makes
    /// them worse fails.
    @Test("simd activations within their ULP bounds", arguments: [
        (Activation.sigmoid, 3.0), (.tanh, 3.0), (.gelu, 4.0), (.geluErf, 7.0), (.relu, 0.0), (.leakyReLU(slope: 0.01), 0.5),
        (.identity, 0.0),
    ])
    func simdAccuracy(_ activation: Activation, _ bound: Double) throws {
        let inputs = sweep(-120, 120, count: 200_003) + sweep(-2, 2, count: 100_001)
        let (worst, at) = try worstError(activation, inputs, variant: .simd)
        #expect(worst <= bound, "\(activation): \(worst) ulp at x = \(at)")
    }

    @Test func simdExpWithinTwoULPIncludingOverflowAndSubnormals() throws {
        // exp through softmax of a two-element row [x, 0] would mix in the division; test exp
        // through sigmoid's building block directly: e^x for x over the whole range that matters.
        var worst = 0.0, at: Float = 0
        for x in sweep(-110, 95, count: 300_007) {
            let got = VectorMath.exp(SIMD8<Float>(repeating: x))[0]
            let error = ulpError(got, Foundation.exp(Double(x)))
            // Subnormal results carry one extra rounding (the 2^n scale is applied in two steps).
            let allowed = Foundation.exp(Double(x)) < Double(Float.leastNormalMagnitude) ? 3.0 : 2.0
            if error > allowed, error > worst { worst = error; at = x }
        }
        #expect(worst == 0, "exp: \(worst) ulp at x = \(at)")
        #expect(VectorMath.exp(SIMD8<Float>(repeating: 89))[0] == .infinity)
        #expect(VectorMath.exp(SIMD8<Float>(repeating: -105))[0] == 0)
        #expect(VectorMath.exp(SIMD8<Float>(repeating: .nan))[0].isNaN)
    }

    @Test func simdExpUpTo44WithinTwoULPIncludingSubnormals() throws {
        // The short exp behind sigmoid, tanh, softmax and log-sum-exp: the same bounds as `exp`
        // over its whole domain, and the same results at the edges.
        var worst = 0.0, at: Float = 0
        for x in sweep(-110, 44, count: 300_007) where x <= 44 {
            let got = VectorMath.expUpTo44(SIMD8<Float>(repeating: x))[0]
            let error = ulpError(got, Foundation.exp(Double(x)))
            let allowed = Foundation.exp(Double(x)) < Double(Float.leastNormalMagnitude) ? 3.0 : 2.0
            if error > allowed, error > worst { worst = error; at = x }
        }
        #expect(worst == 0, "expUpTo44: \(worst) ulp at x = \(at)")
        #expect(VectorMath.expUpTo44(SIMD8<Float>(repeating: -105))[0] == 0)
        #expect(VectorMath.expUpTo44(SIMD8<Float>(repeating: -.infinity))[0] == 0)
        #expect(VectorMath.expUpTo44(SIMD8<Float>(repeating: .nan))[0].isNaN)
        #expect(VectorMath.expUpTo44(SIMD8<Float>(repeating: 0))[0] == 1)
    }

    @Test func sixteenLaneSigmoidEqualsEightLane() throws {
        // Buffers run sigmoid sixteen lanes at a time; the results must be the eight-lane ones, bit for bit.
        let inputs = sweep(-120, 120, count: 40_000) + [.nan, .infinity, -.infinity, -0.0]
        var mismatches = 0
        for start in stride(from: 0, to: inputs.count - 15, by: 16) {
            let x = SIMD16<Float>((0..<16).map { inputs[start + $0] })
            let pair = VectorMath.sigmoid(x)
            let halves = SIMD16(lowHalf: VectorMath.sigmoid(x.lowHalf), highHalf: VectorMath.sigmoid(x.highHalf))
            for lane in 0..<16 where pair[lane].bitPattern != halves[lane].bitPattern { mismatches += 1 }
        }
        #expect(mismatches == 0)
        // The buffer kernel (blocks run in two stages, then pairs, single vectors and a tail)
        // gives the eight-lane results too.
        var outputs = [Float](repeating: 0, count: inputs.count)
        try inputs.withUnsafeBufferPointer { x in
            try outputs.withUnsafeMutableBufferPointer { y in try Activations.apply(.sigmoid, input: x, output: y) }
        }
        let bufferMismatches = inputs.indices.filter {
            outputs[$0].bitPattern != VectorMath.sigmoid(SIMD8<Float>(repeating: inputs[$0]))[0].bitPattern
        }
        #expect(bufferMismatches.count == 0, "first at x = \(bufferMismatches.first.map { inputs[$0] } ?? 0)")
    }

    /// The naive kernels are the tutorial formulas in Float. 1 / (1 + e^-x) underflows below
    /// x = -88, and 0.5 x (1 + tanh u) cancels once tanh u nears -1, where tanh's own rounding
    /// (half an ulp of 1) times |x| becomes the error. So each result is within 4 ulp, or within
    /// 4 ulp-of-1 times |x| absolute, or below the smallest normal Float.
    @Test("naive activations: the tutorial formulas' accuracy", arguments: [Activation.sigmoid, .tanh, .gelu, .geluErf])
    func naiveAccuracy(_ activation: Activation) throws {
        let inputs = sweep(-30, 30, count: 20_001)
        var outputs = [Float](repeating: 0, count: inputs.count)
        try inputs.withUnsafeBufferPointer { x in
            try outputs.withUnsafeMutableBufferPointer { y in try Activations.apply(activation, input: x, output: y, variant: .naive) }
        }
        for (x, y) in zip(inputs, outputs) where x.isFinite && abs(x) <= 1e6 {
            let reference = activation.reference(Double(x))
            let error = abs(Double(y) - reference)
            let withinULP = ulpError(y, reference) <= 4
            let withinCancellation = error <= 4 * Double(Float.ulpOfOne) * Double(abs(x))
            #expect(withinULP || withinCancellation || error < Double(Float.leastNormalMagnitude),
                    "\(activation) naive(\(x)) = \(y), expected \(reference)")
        }
    }

    @Test("special values behave as the Double reference", arguments: ElementwiseVariant.allCases)
    func specialValues(_ variant: ElementwiseVariant) throws {
        let inputs: [Float] = [.nan, .infinity, -.infinity, 100, -100, 1e30, -1e30]
        for activation in Activation.all {
            var outputs = [Float](repeating: 0, count: inputs.count)
            try inputs.withUnsafeBufferPointer { x in
                try outputs.withUnsafeMutableBufferPointer { y in try Activations.apply(activation, input: x, output: y, variant: variant) }
            }
            #expect(outputs[0].isNaN, "\(activation)(NaN) must be NaN")
            for (x, y) in zip(inputs, outputs).dropFirst() {
                let reference = activation.reference(Double(x))
                if reference.isNaN {
                    #expect(y.isNaN, "\(activation)(\(x))")
                } else if Float(reference).isInfinite {
                    #expect(y == Float(reference), "\(activation)(\(x)) = \(y), expected \(reference)")
                } else {
                    #expect(!y.isNaN, "\(activation)(\(x)) gave NaN")
                    // 4 ulp, or below the smallest normal Float in absolute terms (a result of
                    // 3.7e-44 flushed to 0 by the naive formula is no error that matters).
                    let error = abs(Double(y) - reference)
                    #expect(error <= 4 * Double(Float(reference).ulp) || error < Double(Float.leastNormalMagnitude),
                            "\(activation)(\(x)) = \(y), expected \(reference)")
                }
            }
        }
        #expect(Activation.sigmoid.reference(-.infinity) == 0)
    }

    /// The loops of `map` (blocks of pairs, four vectors at a time, single vectors, a padded
    /// tail) all apply the same arithmetic: every count from 0 to 80 gives each element what a
    /// call on that element alone gives.
    @Test("every count through every loop gives each element's own value", arguments: Activation.all)
    func everyCount(_ activation: Activation) throws {
        var rng = SplitMix64(seed: 11)
        let input = [Float].random(count: 80, in: -8...8, using: &rng)
        for count in 0...80 {
            var output = [Float](repeating: .nan, count: count)
            try input.withUnsafeBufferPointer { x in
                try output.withUnsafeMutableBufferPointer { y in
                    try Activations.apply(activation, input: UnsafeBufferPointer(rebasing: x[0..<count]), output: y)
                }
            }
            for i in 0..<count {
                var alone: [Float] = [.nan]
                try input.withUnsafeBufferPointer { x in
                    try alone.withUnsafeMutableBufferPointer { y in
                        try Activations.apply(activation, input: UnsafeBufferPointer(rebasing: x[i..<(i + 1)]), output: y)
                    }
                }
                #expect(output[i] == alone[0], "\(activation), count \(count), element \(i)")
            }
        }
    }

    @Test func inPlaceAndMismatchedBuffers() throws {
        var values: [Float] = [-2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8]
        try values.withUnsafeMutableBufferPointer { buffer in
            try Activations.apply(.relu, input: UnsafeBufferPointer(buffer), output: buffer)
        }
        #expect(values == [0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8])
        let input = [Float](repeating: 1, count: 4)
        var output = [Float](repeating: 0, count: 3)
        #expect(throws: KernelError.shapeMismatch(what: "activation output elements", expected: "4", got: "3")) {
            try input.withUnsafeBufferPointer { x in
                try output.withUnsafeMutableBufferPointer { y in try Activations.apply(.tanh, input: x, output: y) }
            }
        }
    }

    /// Outputs past `Tuning.streamingStoreBytes` go through non-temporal stores after an
    /// aligning head: every element, at each misalignment of the output, must equal what the
    /// ordinary path (a small buffer) computes for the same input.
    @Test("large outputs: streaming stores give the ordinary results", arguments: [Activation.relu, .sigmoid])
    func streamingStores(_ activation: Activation) throws {
        let count = Tuning.streamingStoreBytes / MemoryLayout<Float>.size + 13
        var rng = SplitMix64(seed: 7)
        let input = [Float].random(count: count, in: -8...8, using: &rng)
        var output = [Float](repeating: .nan, count: count + 8)
        var expected = [Float](repeating: 0, count: 4096)
        for offset in [0, 1, 3, 7] {
            try input.withUnsafeBufferPointer { x in
                try output.withUnsafeMutableBufferPointer { y in
                    try Activations.apply(activation, input: x, output: UnsafeMutableBufferPointer(rebasing: y[offset..<(offset + count)]))
                }
            }
            // Head, a stretch in the middle, and the tail, against the small-buffer path.
            for start in [0, count / 2, count - expected.count] {
                try input.withUnsafeBufferPointer { x in
                    try expected.withUnsafeMutableBufferPointer { e in
                        try Activations.apply(activation, input: UnsafeBufferPointer(rebasing: x[start..<(start + e.count)]), output: e)
                    }
                }
                let got = Array(output[(offset + start)..<(offset + start + expected.count)])
                #expect(got == expected, "\(activation), offset \(offset), from \(start)")
            }
            // Offsets grow, so the element just past this call's output was never written.
            #expect(output[offset + count].isNaN, "offset \(offset): wrote past the end")
        }
    }
}

@Suite("Softmax")
struct SoftmaxTests {
    func softmax(_ rows: Int, _ columns: Int, _ input: [Float], stride: Int, variant: ElementwiseVariant) throws -> [Float] {
        var output = [Float](repeating: -7, count: rows * stride)
        try input.withUnsafeBufferPointer { x in
            try output.withUnsafeMutableBufferPointer { y in
                try Activations.softmax(rows: rows, columns: columns, input: x, inputStride: stride, output: y,
                                        outputStride: stride, variant: variant)
            }
        }
        return output
    }

    @Test("rows match the Double reference and sum to 1", arguments: ElementwiseVariant.allCases)
    func matchesReference(_ variant: ElementwiseVariant) throws {
        var rng = SplitMix64(seed: 5)
        for (rows, columns) in [(1, 1), (3, 7), (5, 8), (2, 17), (4, 1000), (1, 33)] {
            let stride = columns + 3
            let input = [Float].random(count: rows * stride, in: -30...30, using: &rng)
            let output = try softmax(rows, columns, input, stride: stride, variant: variant)
            for row in 0..<rows {
                let x = (0..<columns).map { Double(input[row * stride + $0]) }
                let maximum = x.max()!
                let total = x.reduce(0) { $0 + Foundation.exp($1 - maximum) }
                var sum = 0.0
                for column in 0..<columns {
                    let expected = Foundation.exp(x[column] - maximum) / total
                    let got = Double(output[row * stride + column])
                    // exp within 2 ulp, the sum of `columns` terms, one division: (columns + 4) ulp
                    // of 1 relative; and x - max rounded in Float, an argument error of up to
                    // |x - max| ulp/2 that exp turns into the same relative error.
                    let bound = (Double(columns + 4) + abs(x[column] - maximum)) * Double(Float.ulpOfOne)
                    #expect(abs(got - expected) <= bound * max(expected, 1e-30) + 1e-45,
                            "\(variant) \(rows)x\(columns) [\(row),\(column)] = \(got), expected \(expected)")
                    sum += got
                }
                #expect(abs(sum - 1) <= Double(columns + 4) * Double(Float.ulpOfOne), "row \(row) sums to \(sum)")
                // Padding between rows is not written.
                for pad in columns..<stride { #expect(output[row * stride + pad] == -7) }
            }
        }
    }

    @Test("large, infinite and NaN inputs", arguments: ElementwiseVariant.allCases)
    func edgeCases(_ variant: ElementwiseVariant) throws {
        let large = try softmax(1, 3, [1e30, -1e30, 100], stride: 3, variant: variant)
        #expect(large == [1, 0, 0])
        let infinite = try softmax(1, 4, [.infinity, 3, .infinity, -.infinity], stride: 4, variant: variant)
        #expect(infinite == [0.5, 0, 0.5, 0])
        let nan = try softmax(1, 3, [1, .nan, 2], stride: 3, variant: variant)
        #expect(nan.filter { !$0.isNaN }.isEmpty)
        let allNegativeInfinity = try softmax(1, 2, [-.infinity, -.infinity], stride: 2, variant: variant)
        #expect(allNegativeInfinity.filter { !$0.isNaN }.isEmpty)
        let shifted = try softmax(1, 2, [-100, -101], stride: 2, variant: variant)
        #expect(abs(Double(shifted[0]) - 1 / (1 + Foundation.exp(-1.0))) < 1e-6)
    }

    @Test func badShapesNameTheField() {
        let input = [Float](repeating: 0, count: 10)
        var output = [Float](repeating: 0, count: 10)
        #expect(throws: KernelError.invalidDimension(dimension: "inputStride", expected: ">= 6", got: 5)) {
            try input.withUnsafeBufferPointer { x in
                try output.withUnsafeMutableBufferPointer { y in
                    try Activations.softmax(rows: 2, columns: 6, input: x, inputStride: 5, output: y, outputStride: 6)
                }
            }
        }
        #expect(throws: KernelError.bufferTooSmall(buffer: "softmax output", needed: 12, got: 10)) {
            try input.withUnsafeBufferPointer { x in
                try output.withUnsafeMutableBufferPointer { y in
                    try Activations.softmax(rows: 2, columns: 5, input: x, inputStride: 5, output: y, outputStride: 7)
                }
            }
        }
    }
}
