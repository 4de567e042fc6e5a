import _KernelShims

/// Sigmoid on sixteen lanes: on AVX2 a `SIMD16<Float>` is two registers, and the compiler
/// interleaves the two halves instruction by instruction. Each half is a chain of about
/// twenty dependent operations ending in a division, and two interleaved chains go about 15%
/// faster than two chains one after the other, which is what calling the eight-lane version
/// twice gives. (Once interleaved, removing FMAs made it faster, and shortening the chain
/// without removing any did not: see `VectorMath.sigmoidScaledExp`.)
///
/// The same arithmetic as the eight-lane `VectorMath.sigmoidScaledExp` and `sigmoid`, so the
/// results are identical lane for lane (`ActivationAccuracyTests` checks both). It is a copy
/// for a concrete type because generic code over `SIMD` builds its comparison masks one lane
/// at a time, even once specialized.
extension VectorMath {
    public typealias Pair = SIMD16<Float>

    /// `sigmoid` on sixteen lanes.
    @_transparent
    public static func sigmoid(_ x: Pair) -> Pair {
        sigmoidQuotientStage(x, sigmoidExpStage(x))
    }

    /// `sigmoidScaledExp` on sixteen lanes.
    @_transparent
    @usableFromInline static func sigmoidScaledExp(_ x: Pair) -> Pair {
        let clamped = x.replacing(with: -104, where: x .< -104)
        let magic = Pair(repeating: 12_582_912)
        let shifted = magic.addingProduct(clamped, Pair(repeating: log2e * 8))
        let n = shifted - magic
        var r = clamped
        r.addProduct(n, Pair(repeating: -ln2High / 8))
        r.addProduct(n, Pair(repeating: -ln2Low / 8))
        let c = eighthExpCoefficients
        let q = r.addingProduct(Pair(repeating: c.0).addingProduct(r, Pair(repeating: c.1)), r * r)
        let bits = unsafeBitCast(shifted, to: SIMD16<Int32>.self)
        let table = eighthPowersOfTwo()
        let entries = SIMD16(lowHalf: nnk_lookup8(table, bits.lowHalf), highHalf: nnk_lookup8(table, bits.highHalf))
        let scale = unsafeBitCast(unsafeBitCast(entries, to: SIMD16<Int32>.self) &+ ((((bits &- 0x4B40_0000) &>> 3) &+ 64) &<< 23),
                                  to: Pair.self)
        return scale.addingProduct(q, scale)
    }

    /// Sigmoid's first half: e^-|x| * 2^64.
    @_transparent
    @usableFromInline static func sigmoidExpStage(_ x: Pair) -> Pair {
        sigmoidScaledExp(unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) | 0x8000_0000, to: Pair.self))
    }

    /// Sigmoid's second half, from x and the first half's `scaled`.
    @_transparent
    @usableFromInline static func sigmoidQuotientStage(_ x: Pair, _ scaled: Pair) -> Pair {
        let numerator = Pair(repeating: 0x1p64).replacing(with: scaled, where: x .< 0)
        return numerator / (scaled + 0x1p64)
    }
}
