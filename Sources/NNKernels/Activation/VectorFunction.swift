/// An elementwise function on eight lanes, as a type: kernels generic over it are specialized
/// for each function and inline its body. (A closure would do the same only while small; the
/// optimizer keeps a large one, such as sigmoid, out of line, which costs a call and a vector
/// split in two halves every eight elements.)
protocol VectorFunction {
    func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float>
    /// Whether `callAsFunction(_: SIMD16<Float>)` is a sixteen-lane version of its own (see
    /// `VectorMath.Pair`), which kernels then call on pairs of vectors.
    static var runsInPairs: Bool { get }
    func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float>
    /// Whether the sixteen-lane function is `secondStage(x, firstStage(x))`, split where its
    /// dependency chain is longest: kernels then run the first stage over a block of vectors and
    /// the second over the same block, so each loop's chain is short and more of its vectors are
    /// in flight at once.
    static var splitsInTwo: Bool { get }
    func firstStage(_ x: SIMD16<Float>) -> SIMD16<Float>
    func secondStage(_ x: SIMD16<Float>, _ first: SIMD16<Float>) -> SIMD16<Float>
}

extension VectorFunction {
    static var runsInPairs: Bool { false }
    static var splitsInTwo: Bool { false }
    @inline(__always) func firstStage(_ x: SIMD16<Float>) -> SIMD16<Float> { x }
    @inline(__always) func secondStage(_ x: SIMD16<Float>, _ first: SIMD16<Float>) -> SIMD16<Float> { self(x) }
    @inline(__always) func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> {
        SIMD16(lowHalf: self(x.lowHalf), highHalf: self(x.highHalf))
    }
}

/// One `VectorFunction` per activation, each the `Activation.simd` code for that case.
enum VectorFunctions {
    struct Identity: VectorFunction {
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { x }
    }
    struct ReLU: VectorFunction {
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { Activation.relu.simd(x) }
    }
    struct LeakyReLU: VectorFunction {
        let slope: Float
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { Activation.leakyReLU(slope: slope).simd(x) }
    }
    struct Sigmoid: VectorFunction {
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { Activation.sigmoid.simd(x) }
        static var runsInPairs: Bool { true }
        @inline(__always) func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> { VectorMath.sigmoid(x) }
        static var splitsInTwo: Bool { true }
        @inline(__always) func firstStage(_ x: SIMD16<Float>) -> SIMD16<Float> { VectorMath.sigmoidExpStage(x) }
        @inline(__always) func secondStage(_ x: SIMD16<Float>, _ first: SIMD16<Float>) -> SIMD16<Float> {
            VectorMath.sigmoidQuotientStage(x, first)
        }
    }
    struct Tanh: VectorFunction {
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { Activation.tanh.simd(x) }
    }
    struct GELU: VectorFunction {
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { Activation.gelu.simd(x) }
    }
    struct GELUErf: VectorFunction {
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { Activation.geluErf.simd(x) }
    }
    struct Scale: VectorFunction {
        let factor: SIMD8<Float>
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { x * factor }
    }
}
