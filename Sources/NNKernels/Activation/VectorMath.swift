import _KernelShims

/// Vectorized exp, sigmoid and tanh on SIMD vectors, as polynomial approximations
/// (the standard library's functions work one lane at a time).
///
/// Worst errors against the correctly rounded `Double` functions, measured by
/// `ActivationAccuracyTests` over the ranges that matter, including overflow and subnormal results:
/// - `exp`: 2 ulp for results >= the smallest normal Float; subnormal results within one
///   subnormal step (2^-149) plus 2 ulp of the smallest normal; +inf above 88.72, 0 below -103.97.
/// - `sigmoid`: 3 ulp; `tanh`: 3 ulp; GELU (built on sigmoid): 4 ulp plus
///   `Activation.argumentRoundingULP`, the conditioning of its rounded exponent;
///   `geluErf`: 7 ulp (6.4 measured), subnormal results within a few subnormal steps.
public enum VectorMath {
    public typealias V = SIMD8<Float>

    // Cody and Waite's split of ln 2, so that n * ln2 is subtracted without rounding error.
    @usableFromInline static let log2e: Float = 1.442_695_04
    @usableFromInline static let ln2High: Float = 0.693_359_375
    @usableFromInline static let ln2Low: Float = -2.121_944_4e-4
    /// The short exp's polynomial: e^r = 1 + r + r^2 * P(r) on |r| <= ln 2 / 2 with P of
    /// degree 4 (one degree below Cephes's expf, one FMA fewer), fitted for least
    /// maximum relative error: 0.07 ulp before the evaluation's own roundings. P's coefficients
    /// from the highest degree down.
    @usableFromInline static let expCoefficients: (Float, Float, Float, Float, Float) =
        (1.381_461_275_7e-3, 8.368_710_056_0e-3, 4.166_838_899_3e-2, 1.666_652_113_2e-1, 4.999_999_404_0e-1)

    /// e^x lane by lane: x = n ln 2 + r with |r| <= ln 2 / 2, e^r from a degree-6 polynomial
    /// (Cephes's expf coefficients, evaluated with fused multiply-adds: `p * r + c` on SIMD
    /// types is a separate multiply and add), and 2^n applied in two halves so subnormal results
    /// come out right instead of flushing to zero.
    @_transparent
    public static func exp(_ x: V) -> V {
        // Clamped with selects (the standard `clamped` is a branchy per-lane routine).
        var clamped = x.replacing(with: -104, where: x .< -104)
        clamped = clamped.replacing(with: 89, where: clamped .> 89)
        var n = clamped * log2e
        n.round(.toNearestOrEven)
        var r = clamped
        r.addProduct(n, V(repeating: -ln2High))
        r.addProduct(n, V(repeating: -ln2Low))
        var p = V(repeating: 1.987_569_150_0e-4)
        p = V(repeating: 1.398_199_950_7e-3).addingProduct(p, r)
        p = V(repeating: 8.333_451_907_3e-3).addingProduct(p, r)
        p = V(repeating: 4.166_579_589_4e-2).addingProduct(p, r)
        p = V(repeating: 1.666_666_545_9e-1).addingProduct(p, r)
        p = V(repeating: 5.000_000_120_1e-1).addingProduct(p, r)
        var y = r.addingProduct(p, r * r)
        y += 1
        // 2^n = 2^a * 2^b with a = n / 2 and b = n - a, each a normal power of two for n in [-150, 128].
        let a = (n * 0.5).rounded(.towardZero)
        let b = n - a
        let result = y * powerOfTwo(a) * powerOfTwo(b)
        // Beyond the clamp: +inf above, exactly 0 below; NaN stays NaN (the comparisons are false).
        var out = result.replacing(with: .infinity, where: x .> 88.722_84)
        out = out.replacing(with: 0, where: x .< -103.972_08)
        // The clamp turned NaN into a bound: give NaN back (x != x only for NaN).
        return out.replacing(with: x, where: x .!= x)
    }

    /// e^x for x <= 44, with the accuracy of `exp` (NaN stays NaN, 0 below -103.97): what
    /// sigmoid (e^-|x|), tanh (e^2|x| with |x| <= 10), softmax and log-sum-exp (e^(x - max))
    /// need, in about half of `exp`'s instructions. These kernels are bound by how many
    /// dependent operations are in flight, not by the FMA pipes, so every one saved counts:
    /// - n = round(x log2 e) by adding 1.5 * 2^23, which leaves n in the sum's low mantissa
    ///   bits (one FMA, and the bits give 2^n directly, with no rounding instruction);
    /// - 2^n as 2^(n + 64) * 2^-64: 2^(n + 64) is a normal Float for n in [-150, 63], so
    ///   y * 2^(n + 64) is exact and the last product rounds once, into the subnormals where
    ///   e^x lies there (`exp` splits 2^n in two halves for the same reason);
    /// - no overflow path, as x <= 44 cannot overflow.
    @_transparent
    public static func expUpTo44(_ x: V) -> V {
        scaledExpUpTo44(x) * 0x1p-64
    }

    /// e^x * 2^64 for x <= 44, exact from the polynomial's result (a normal Float, never
    /// rounded by the scaling): `expUpTo44` before its last product, for callers that fold the
    /// 2^-64 into a later operation.
    @_transparent
    @usableFromInline static func scaledExpUpTo44(_ x: V) -> V {
        // Below -104 every result rounds to 0; clamping keeps n in range (NaN compares false and stays).
        let clamped = x.replacing(with: -104, where: x .< -104)
        let magic = V(repeating: 12_582_912)
        let shifted = magic.addingProduct(clamped, V(repeating: log2e))
        let n = shifted - magic
        var r = clamped
        r.addProduct(n, V(repeating: -ln2High))
        r.addProduct(n, V(repeating: -ln2Low))
        return scaledExp(reduced: r, shifted: shifted)
    }

    /// e^(hi + lo) * 2^64 for hi + lo <= 44, where lo is small against hi and the sum would
    /// round: the reduction subtracts n ln 2 from hi exactly (Cody and Waite) before adding lo,
    /// so the error of the rounded sum (up to 2^-18 relative at |hi| = 100, 32 ulp of the
    /// result) never reaches the exponent. `geluErf` passes -x^2 / 2 this way.
    @_transparent
    @usableFromInline static func scaledExpUpTo44(_ hi: V, plus lo: V) -> V {
        // Below -104 every result rounds to 0: there, e^-104 from a consistent reduction.
        let underflows = hi + lo .< -104
        let high = hi.replacing(with: -104, where: underflows)
        let low = lo.replacing(with: 0, where: underflows)
        let magic = V(repeating: 12_582_912)
        let shifted = magic.addingProduct(high + low, V(repeating: log2e))
        let n = shifted - magic
        var r = high
        r.addProduct(n, V(repeating: -ln2High))
        r.addProduct(n, V(repeating: -ln2Low))
        r += low
        return scaledExp(reduced: r, shifted: shifted)
    }

    /// e^r * 2^(n + 64) from the reduced argument r (|r| <= ln 2 / 2) and the rounding sum
    /// 1.5 * 2^23 + n, whose bits hold n.
    @_transparent
    @usableFromInline static func scaledExp(reduced r: V, shifted: V) -> V {
        // P by Estrin's scheme: three dependent FMAs after r^2 instead of Horner's four.
        let c = expCoefficients
        let r2 = r * r
        let low = V(repeating: c.4).addingProduct(r, V(repeating: c.3))
        let middle = V(repeating: c.2).addingProduct(r, V(repeating: c.1))
        let p = low.addingProduct(r2, middle.addingProduct(r2, V(repeating: c.0)))
        let q = r.addingProduct(p, r2)
        // The sum's bits are 0x4B40_0000 + n: move n + 64 + 127 into the exponent field.
        let bits = unsafeBitCast(shifted, to: SIMD8<Int32>.self)
        let scale = unsafeBitCast((bits &+ (127 + 64 - 0x4B40_0000)) &<< 23, to: V.self)
        // (1 + q) * scale as one FMA: scale is a normal power of two, so q * scale + scale
        // rounds exactly as 1 + q does, and the product after it was exact.
        return scale.addingProduct(q, scale)
    }

    /// 2^k for integral k in [-126, 127], built from the exponent bits with vector ops only.
    /// Adding 1.5 * 2^23 puts the integer k in the low mantissa bits (the standard library's
    /// Float-to-Int32 vector conversion is an out-of-line call per vector).
    @_transparent
    @usableFromInline static func powerOfTwo(_ k: V) -> V {
        let shifted = unsafeBitCast(k + 12_582_912, to: SIMD8<Int32>.self)
        let exponent = (shifted &- 0x4B40_0000 &+ 127) &<< 23
        return unsafeBitCast(exponent, to: V.self)
    }

    /// 2^(j/8) for j = 0...7, rounded to Float: the table behind `sigmoidScaledExp`. A
    /// function, not a stored constant: a global's lazy initialisation check stayed inside the
    /// streaming loop (a call per pair of vectors, 1.15x the time over 16M elements).
    @_transparent
    @usableFromInline static func eighthPowersOfTwo() -> V {
        V(1, 1.090_507_75, 1.189_207_08, 1.296_839_59, 1.414_213_54, 1.542_210_82, 1.681_792_86, 1.834_008_1)
    }
    /// e^r = 1 + r + r^2 (c0 + c1 r) on |r| <= ln 2 / 16, fitted for least maximum relative
    /// error: 0.22 ulp before the evaluation's own roundings.
    @usableFromInline static let eighthExpCoefficients: (Float, Float) = (0.500_064_492, 0.166_668_579)

    /// e^x * 2^64 for -104 <= x <= 0 (below, e^-104 * 2^64; NaN stays NaN), for sigmoid: x is
    /// split as (n / 8) ln 2 + r, so 2^(n mod 8 / 8) comes from a table of eight (one permute)
    /// and e^r, with |r| <= ln 2 / 16, from a cubic: two FMAs fewer than `scaledExpUpTo44`'s
    /// quintic (shortening its chain by as many FMAs without removing any did not make sigmoid
    /// faster; removing them did). The table's rounding costs up to half an ulp more; sigmoid
    /// stays within its 3 ulp.
    @_transparent
    @usableFromInline static func sigmoidScaledExp(_ x: V) -> V {
        let clamped = x.replacing(with: -104, where: x .< -104)
        let magic = V(repeating: 12_582_912)
        let shifted = magic.addingProduct(clamped, V(repeating: log2e * 8))
        let n = shifted - magic
        var r = clamped
        r.addProduct(n, V(repeating: -ln2High / 8))
        r.addProduct(n, V(repeating: -ln2Low / 8))
        let c = eighthExpCoefficients
        let q = r.addingProduct(V(repeating: c.0).addingProduct(r, V(repeating: c.1)), r * r)
        // The sum's bits are 0x4B40_0000 + n: their low three bits pick 2^(n mod 8 / 8), and
        // n / 8 (rounded down) + 64 is added to the table entry's exponent field.
        let bits = unsafeBitCast(shifted, to: SIMD8<Int32>.self)
        let entry = unsafeBitCast(nnk_lookup8(eighthPowersOfTwo(), bits), to: SIMD8<Int32>.self)
        let scale = unsafeBitCast(entry &+ ((((bits &- 0x4B40_0000) &>> 3) &+ 64) &<< 23), to: V.self)
        return scale.addingProduct(q, scale)
    }

    /// 1 / (1 + e^-x), written so that neither branch overflows or loses small results:
    /// with e = e^-|x|, sigmoid is 1 / (1 + e) for x >= 0 and e / (1 + e) below. Both are
    /// computed from E = e * 2^64 (exact) as 2^64 / (2^64 + E) and E / (2^64 + E): one
    /// division whose numerator is chosen by the sign, two roundings in all, and a result
    /// that rounds once into the subnormals for x below -87.
    @_transparent
    public static func sigmoid(_ x: V) -> V {
        let scaled = sigmoidScaledExp(negativeAbs(x))
        let numerator = V(repeating: 0x1p64).replacing(with: scaled, where: x .< 0)
        return numerator / (scaled + 0x1p64)
    }

    /// tanh: an odd polynomial below |x| = 0.625 (Cephes's tanhf), where 1 - 2 / (e^2|x| + 1)
    /// would cancel; that form above, with the sign restored. |x| is capped at 10 before exp
    /// (which would overflow past 44), where 2 / (e^20 + 1) is below half an ulp of 1, so the
    /// result is exactly +-1 there, as the correctly rounded tanh is from |x| = 9.01 on.
    @_transparent
    public static func tanh(_ x: V) -> V {
        let ax = abs(x)
        let z = x * x
        var p = V(repeating: -5.704_988_727_45e-3)
        p = V(repeating: 2.063_908_879_54e-2).addingProduct(p, z)
        p = V(repeating: -5.373_971_555_31e-2).addingProduct(p, z)
        p = V(repeating: 1.333_144_220_36e-1).addingProduct(p, z)
        p = V(repeating: -3.333_328_194_22e-1).addingProduct(p, z)
        let small = x + x * z * p
        let e = expUpTo44(2 * ax.replacing(with: 10, where: ax .> 10))
        var large = 1 - 2 / (e + 1)
        large = large.replacing(with: -large, where: x .< 0)
        return small.replacing(with: large, where: ax .>= 0.625)
    }

    /// GELU in its exact form, x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), without the cancellation
    /// of 1 + erf for negative x: with E = erfc(|x| / sqrt 2) / 2, Phi(x) is E below 0 and
    /// 1 - E above. E comes from Numerical Recipes' `erfcc`, a Chebyshev fit with relative error
    /// below 1.2e-7 for every argument: erfc(z) = t e^(-z^2 + P(t)), t = 1 / (1 + z / 2), P of
    /// degree 9. -z^2 = -x^2 / 2 is formed exactly as a rounded square plus its FMA residual and
    /// handed to exp in two parts, so it is never rounded (a rounded exponent near 100 alone
    /// would cost 32 ulp). Beyond |x| = 14.5 the result is x or a signed zero.
    @_transparent
    public static func geluErf(_ x: V) -> V {
        let ax = abs(x).replacing(with: 14.5, where: abs(x) .> 14.5)
        // t = 1 / (1 + z / 2) with z = |x| / sqrt 2.
        let t = 1 / V(repeating: 1).addingProduct(ax, V(repeating: Float(0.5.squareRoot() / 2)))
        // P by Estrin's scheme: four dependent FMAs deep instead of Horner's ten, so the
        // division, P and the exp overlap.
        let c = erfcCoefficients
        let t2 = t * t, t4 = t2 * t2, t8 = t4 * t4
        let p01 = V(repeating: c.0).addingProduct(t, V(repeating: c.1))
        let p23 = V(repeating: c.2).addingProduct(t, V(repeating: c.3))
        let p45 = V(repeating: c.4).addingProduct(t, V(repeating: c.5))
        let p67 = V(repeating: c.6).addingProduct(t, V(repeating: c.7))
        let p89 = V(repeating: c.8).addingProduct(t, V(repeating: c.9))
        let p03 = p01.addingProduct(t2, p23)
        let p47 = p45.addingProduct(t2, p67)
        let p = p03.addingProduct(t4, p47).addingProduct(t8, p89)
        // x^2 = square + residual exactly; -x^2 / 2 + P as (-square / 2) + (P - residual / 2).
        let square = ax * ax
        let residual = (-square).addingProduct(ax, ax)
        let scaled = t * scaledExpUpTo44(square * -0.5, plus: p.addingProduct(residual, V(repeating: -0.5)))
        // E = scaled * 2^-65; the last product below x rounds once, into the subnormals where
        // x Phi(x) lies there.
        let below = (x * scaled) * 0x1p-65
        let above = x * (1 - scaled * 0x1p-65)
        return above.replacing(with: below, where: x .< 0).replacing(with: x * 0, where: x .< -14.5)
    }

    /// Numerical Recipes' erfcc coefficients of P(t), from degree 0 up.
    @usableFromInline static let erfcCoefficients: (Float, Float, Float, Float, Float, Float, Float, Float, Float, Float) =
        (-1.265_512_23, 1.000_023_68, 0.374_091_96, 0.096_784_18, -0.186_288_06,
         0.278_868_07, -1.135_203_98, 1.488_515_87, -0.822_152_23, 0.170_872_77)

    /// abs lane by lane (clears the sign bit; NaN stays NaN): one bitwise and.
    @_transparent
    @usableFromInline static func abs(_ x: V) -> V {
        unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: V.self)
    }

    /// -|x| lane by lane (sets the sign bit; NaN stays NaN): one bitwise or.
    @_transparent
    @usableFromInline static func negativeAbs(_ x: V) -> V {
        unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt32>.self) | 0x8000_0000, to: V.self)
    }
}
