/// A direct convolution prepared for one shape (its weights blocked for one register tile), as
/// `Convolution2D` holds it. The tile's MR, NR and vector type are generic parameters of
/// `DirectConvolution`, fixed when the GEMM microkernel list builds these closures: called
/// through a protocol instead, the generic class's methods ran unspecialized, about 2000 times
/// slower.
struct DirectConvolutionPlan: Sendable {
    /// Floats of work space the plan needs for a caller in a layout.
    let workspaceCount: @Sendable (TensorLayout) -> Int
    /// layout, input, activation, output, workspace, threads.
    let run: @Sendable (TensorLayout, UnsafePointer<Float>, Activation, UnsafeMutablePointer<Float>,
                        UnsafeMutablePointer<Float>, Int) -> Void

    init<let MR: Int, let NV: Int, Vector: SIMD>(_ convolution: DirectConvolution<MR, NV, Vector>) where Vector.Scalar == Float {
        workspaceCount = { convolution.workspaceCount(layout: $0) }
        run = { convolution.run(layout: $0, input: $1, activation: $2, output: $3, workspace: $4, threads: $5) }
    }
}
