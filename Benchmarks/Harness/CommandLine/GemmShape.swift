/// `MxNxK`: C[M x N] = A[M x K] * B[K x N].
public struct GemmShape: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var m: Int
    public var n: Int
    public var k: Int

    public init(m: Int, n: Int, k: Int) {
        self.m = m
        self.n = n
        self.k = k
    }

    /// Parses `MxNxK` with each size a non-negative integer.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw UsageError("malformed GEMM shape '\(text)': expected MxNxK, for example 512x512x512")
        }
        var sizes: [Int] = []
        for (name, part) in zip(["M", "N", "K"], parts) {
            guard let value = Int(part), value >= 0 else {
                throw UsageError("malformed GEMM shape '\(text)': \(name) must be a non-negative integer, got '\(part)'")
            }
            sizes.append(value)
        }
        self.init(m: sizes[0], n: sizes[1], k: sizes[2])
    }

    public var description: String { "\(m)x\(n)x\(k)" }
    public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
}

/// `MxNxK:ACT`: a dense layer `act(X[M x K] * W[K x N] + b)`.
public struct DenseShape: Equatable, Sendable, CustomStringConvertible {
    public static let activations = ["identity", "relu", "leaky-relu", "sigmoid", "tanh", "gelu", "gelu-erf"]

    public var gemm: GemmShape
    public var activation: String

    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw UsageError("malformed dense shape '\(text)': expected MxNxK:ACT, for example 64x1024x1024:relu")
        }
        gemm = try GemmShape(parsing: String(parts[0]))
        activation = String(parts[1])
        guard Self.activations.contains(activation) else {
            throw UsageError("malformed dense shape '\(text)': activation must be one of \(Self.activations.joined(separator: ", ")), got '\(activation)'")
        }
    }

    public var description: String { "\(gemm):\(activation)" }
}
