import NNKernels

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
    public static let activations = Activation.all.map(\.description)

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

/// `BATCH:W0-W1-...-Wn:HIDDEN:OUTPUT`: an MLP forward pass from W0 inputs to Wn outputs, every
/// hidden layer with activation HIDDEN, the output layer followed by OUTPUT (`softmax`, or an
/// activation such as `identity`).
public struct MLPShape: Equatable, Sendable, CustomStringConvertible {
    public var batch: Int
    public var widths: [Int]
    public var hidden: String
    public var output: String

    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let widths = parts.count == 4 ? parts[1].split(separator: "-", omittingEmptySubsequences: false).map { Int($0) } : []
        guard parts.count == 4, let batch = Int(parts[0]), batch >= 1, widths.count >= 2,
              widths.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw UsageError("malformed MLP shape '\(text)': expected BATCH:W0-W1-...:HIDDEN:OUTPUT, for example 64:784-256-10:relu:softmax")
        }
        guard DenseShape.activations.contains(parts[2]) else {
            throw UsageError("malformed MLP shape '\(text)': hidden activation must be one of \(DenseShape.activations.joined(separator: ", ")), got '\(parts[2])'")
        }
        guard parts[3] == "softmax" || DenseShape.activations.contains(parts[3]) else {
            throw UsageError("malformed MLP shape '\(text)': output must be softmax or an activation, got '\(parts[3])'")
        }
        self.batch = batch
        self.widths = widths.map { $0! }
        hidden = parts[2]
        output = parts[3]
    }

    public var description: String { "\(batch):\(widths.map(String.init).joined(separator: "-")):\(hidden):\(output)" }

    public var flops: Double {
        zip(widths, widths.dropFirst()).reduce(0) { $0 + 2 * Double(batch) * Double($1.0) * Double($1.1) }
    }
}
