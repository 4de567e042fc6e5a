/// Whether an operand is used as stored or transposed (`op(X)` in BLAS terms).
public enum Transpose: String, Sendable, CaseIterable {
    case none = "N"
    case transposed = "T"
}
