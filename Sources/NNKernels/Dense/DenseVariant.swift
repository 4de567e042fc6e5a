/// How a dense layer `Y = act(X * W + b)` is computed, for the bench's ladder.
public enum DenseVariant: String, Sendable, CaseIterable {
    /// GEMM, then a pass adding the bias, then a pass applying the activation (what a
    /// framework does when it calls BLAS and then its elementwise kernels).
    case unfused
    /// One packed GEMM with the bias and activation in the microkernel's epilogue; W is packed
    /// inside every call.
    case fusedPacking = "fused-packing"
    /// The same epilogue with W packed once, ahead of time (`DenseWeights`), as inference
    /// libraries do.
    case fused
}
