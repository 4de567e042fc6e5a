import Foundation

/// An elementwise activation function g in `a_out = g(a_in * W + b)`.
public enum Activation: Equatable, Hashable, Sendable, CustomStringConvertible {
    case identity
    case relu
    case leakyReLU(slope: Float)
    case sigmoid
    case tanh
    /// GELU in its tanh approximation: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
    case gelu
    /// GELU as defined, x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) (PyTorch's default `gelu`).
    case geluErf

    public static let all: [Activation] = [.identity, .relu, .leakyReLU(slope: 0.01), .sigmoid, .tanh, .gelu, .geluErf]

    /// The names the bench and the command line use.
    public var description: String {
        switch self {
        case .identity: return "identity"
        case .relu: return "relu"
        case .leakyReLU: return "leaky-relu"
        case .sigmoid: return "sigmoid"
        case .tanh: return "tanh"
        case .gelu: return "gelu"
        case .geluErf: return "gelu-erf"
        }
    }

    public init?(name: String) {
        guard let match = Self.all.first(where: { $0.description == name }) else { return nil }
        self = match
    }

    static let geluScale = (2 / Double.pi).squareRoot()
    static let geluCubic = 0.044_715

    /// The definition, in Double: what the kernels are tested against.
    public func reference(_ x: Double) -> Double {
        switch self {
        case .identity: return x
        case .relu: return x < 0 ? 0 : x
        case let .leakyReLU(slope): return x < 0 ? Double(slope) * x : x
        case .sigmoid: return x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
        case .tanh: return Foundation.tanh(x)
        case .gelu:
            // 0.5 (1 + tanh u) = sigmoid(2u): the same function, without the cancellation that
            // makes 1 + tanh(u) exactly 0 in Double for x below about -6.
            let u = Self.geluScale * (x + Self.geluCubic * x * x * x)
            return x * Activation.sigmoid.reference(2 * u)
        case .geluErf:
            // erfc(-x / sqrt 2) = 1 + erf(x / sqrt 2), without the cancellation below 0.
            return x * 0.5 * Foundation.erfc(-x / 2.0.squareRoot())
        }
    }

    /// Largest |g'(x)|: how much an error in the argument can grow through the activation, for
    /// the tolerances of fused kernels (the tests' and `--check`'s).
    public var largestSlope: Double {
        switch self {
        case .sigmoid: return 0.25
        case .gelu, .geluErf: return 1.13
        case let .leakyReLU(slope): return max(1, Double(abs(slope)))
        case .identity, .relu, .tanh: return 1
        }
    }

    /// The documented bound of `simd` in ulp of the result (see `VectorMath`), before GELU's
    /// `argumentRoundingULP` (`simdError` gives both in absolute terms).
    public var simdULPBound: Double {
        switch self {
        case .identity, .relu: return 0
        case .leakyReLU: return 0.5
        case .sigmoid, .tanh: return 3
        case .gelu: return 4
        case .geluErf: return 7
        }
    }

    /// The absolute error `simd` may add to the activation's correctly rounded `value` at
    /// `argument`: its ULP bound plus GELU's argument rounding, in units of the Float spacing at
    /// the value (the smallest subnormal near zero). What the fused kernels' tests and `--check`
    /// allow the activation itself; 0 for identity and ReLU, which are exact.
    public func simdError(argument: Double, value: Double) -> Double {
        let spacing = Double(max(Float(value).magnitude.ulp, Float.leastNonzeroMagnitude))
        return (simdULPBound + argumentRoundingULP(argument)) * spacing
    }

    /// Error the SIMD kernel may add, in ulp, beyond its own few ulp, because an exponent it
    /// computes in Float is rounded before exp sees it. Only GELU has such an argument: 2u is
    /// formed by five roundings (x^2, * c, + 1, * x, * scale) of half an ulp each, and sigmoid's
    /// e^(2u) turns an absolute error d of its argument into a relative error of
    /// d (1 - sigmoid(2u)) in the result, whose ulp may be as small as half of eps |result|:
    /// 5 |2u| (1 - sigmoid(2u)) ulp in all, about 400 at x = -9.6, for any Float evaluation of
    /// this formula.
    public func argumentRoundingULP(_ x: Double) -> Double {
        guard self == .gelu else { return 0 }
        let twoU = 2 * Self.geluScale * (x + Self.geluCubic * x * x * x)
        return 5 * Swift.abs(twoU) * (1 - Activation.sigmoid.reference(twoU))
    }

    /// One element at a time through the standard library's math, as a tutorial would write it.
    @inline(__always)
    func naive(_ x: Float) -> Float {
        switch self {
        case .identity: return x
        case .relu: return x < 0 ? 0 : x
        case let .leakyReLU(slope): return x < 0 ? slope * x : x
        case .sigmoid: return 1 / (1 + Foundation.exp(-x))
        case .tanh: return Foundation.tanh(x)
        case .gelu:
            let u = Float(Self.geluScale) * (x + Float(Self.geluCubic) * x * x * x)
            return 0.5 * x * (1 + Foundation.tanh(u))
        case .geluErf: return 0.5 * x * (1 + Foundation.erf(x * Float(0.5.squareRoot())))
        }
    }

    /// A vector at a time. ReLU is `replacing(with:where:)`, one `vmaxps`-like select (the
    /// standard `pointwiseMax` is a branchy per-lane routine); GELU is written as
    /// x * sigmoid(2u), the same function, which cannot turn an overflow into NaN for finite x.
    @_transparent
    func simd(_ x: SIMD8<Float>) -> SIMD8<Float> {
        switch self {
        case .identity: return x
        case .relu: return x.replacing(with: 0, where: x .< 0)
        case let .leakyReLU(slope): return x.replacing(with: x * slope, where: x .< 0)
        case .sigmoid: return VectorMath.sigmoid(x)
        case .tanh: return VectorMath.tanh(x)
        case .gelu:
            let u = x * (x * x * Float(Self.geluCubic) + 1) * Float(2 * Self.geluScale)
            return x * VectorMath.sigmoid(u)
        case .geluErf: return VectorMath.geluErf(x)
        }
    }
}

/// Which implementation of the elementwise kernels to run.
public enum ElementwiseVariant: String, Sendable, CaseIterable {
    case naive
    case simd
}
