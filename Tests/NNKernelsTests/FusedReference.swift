import NNKernels

/// The reference for a GEMM followed by the epilogue `act(z + bias)`, with its tolerance: the
/// GEMM's bound on z (plus the rounding of the bias addition) carried through the activation's
/// largest slope, plus the activation's own error (`Activation.simdError`).
struct FusedReference {
    var values: [Double]
    var tolerances: [Double]

    init(_ gemm: GemmReference, n: Int, bias: [Float]?, rowBias: [Float]? = nil, activation: Activation) {
        values = []
        tolerances = []
        let u = Double(Float.ulpOfOne)
        for (index, z) in gemm.values.enumerated() {
            let b = (bias.map { Double($0[index % n]) } ?? 0) + (rowBias.map { Double($0[index / n]) } ?? 0)
            let pre = z + b
            let value = activation.reference(pre)
            values.append(value)
            let argumentError = gemm.tolerances[index] + 2 * u * (abs(pre) + abs(b))
            tolerances.append(activation.largestSlope * argumentError + activation.simdError(argument: pre, value: value)
                              + Double(Float.leastNormalMagnitude))
        }
    }

    func firstMismatch(_ c: [Float], n: Int, ldc: Int) -> String? {
        firstOutOfBound(values: values, tolerances: tolerances, c, n: n, ldc: ldc)
    }
}
