/// A convolution layer ready to run: `output = act(conv(input, W) + bias)` for one shape,
/// layout and algorithm. Weights are rearranged once, at creation, into what the algorithm
/// reads (as oneDNN's primitives and XNNPACK's operators do); the work buffers are allocated
/// once and reused by every call.
public final class Convolution2D: @unchecked Sendable {
    public let shape: ConvolutionShape
    public let layout: TensorLayout
    public let algorithm: ConvolutionAlgorithm
    public let activation: Activation
    public let threads: Int
    /// The register tile of im2col's GEMM and of direct convolution.
    public let microkernel: GemmMicrokernelDescriptor
    /// The caller's weights (OIHW) and bias, copied.
    let weights: AlignedFloatBuffer
    let bias: AlignedFloatBuffer?
    /// im2col's packed weights per group (NHWC), or direct's blocked weights.
    let packedGroups: [DenseWeights]
    let direct: DirectConvolutionPlan?
    /// im2col's column buffer, or direct's padded channels-last input and its output.
    let workspace: AlignedFloatBuffer

    public init(shape: ConvolutionShape, layout: TensorLayout, algorithm: ConvolutionAlgorithm,
                weights: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>?, activation: Activation,
                threads: Int = 1, microkernel: GemmMicrokernelDescriptor = GemmMicrokernels.preferred) throws {
        if weights.count != shape.weightCount {
            throw KernelError.shapeMismatch(
                what: "convolution weights (outputChannels \(shape.outputChannels) x inputChannels/groups \(shape.inputChannelsPerGroup) x kernel \(shape.kernelHeight)x\(shape.kernelWidth))",
                expected: "\(shape.weightCount)", got: "\(weights.count)")
        }
        if let bias {
            try KernelError.checkCount("convolution bias (one per output channel)", expected: shape.outputChannels, got: bias.count)
        }
        if threads < 1 { throw KernelError.invalidDimension(dimension: "threads", expected: ">= 1", got: threads) }
        if !microkernel.isSupported {
            throw KernelError.invalidDimension(dimension: "microkernel \(microkernel.name) (unsupported by this CPU)",
                                               expected: "a supported microkernel", got: 0)
        }
        self.shape = shape
        self.microkernel = microkernel
        self.layout = layout
        self.algorithm = algorithm
        self.activation = activation
        self.threads = threads
        self.weights = AlignedFloatBuffer(count: shape.weightCount)
        if let source = weights.baseAddress { self.weights.pointer.update(from: source, count: shape.weightCount) }
        if let bias {
            let copy = AlignedFloatBuffer(count: shape.outputChannels)
            if let source = bias.baseAddress { copy.pointer.update(from: source, count: shape.outputChannels) }
            self.bias = copy
        } else {
            self.bias = nil
        }
        switch algorithm {
        case .naive:
            packedGroups = []
            direct = nil
            workspace = AlignedFloatBuffer(count: 0)
        case .im2col:
            packedGroups = layout == .nhwc ? try Im2colConvolution.packWeights(shape, weights: self.weights.pointer,
                                                                               bias: self.bias?.pointer,
                                                                               microkernel: microkernel) : []
            direct = nil
            workspace = AlignedFloatBuffer(count: Im2colConvolution.workspaceCount(shape, layout: layout, threads: threads,
                                                                                     mr: microkernel.mr))
        case .direct:
            packedGroups = []
            let plan = microkernel.directConvolution(shape, self.weights.pointer, self.bias?.pointer)
            direct = plan
            workspace = AlignedFloatBuffer(count: plan.workspaceCount(layout))
        }
    }

    deinit {
        weights.deallocate()
        bias?.deallocate()
        workspace.deallocate()
    }

    /// Extra bytes this layer holds beyond its inputs, outputs and weights: the im2col buffer,
    /// or direct's padded input copy (and, for NCHW, its channels-last output).
    public var workspaceBytes: Int { workspace.count * MemoryLayout<Float>.stride }

    /// Runs the layer. `input` holds `batch x inputChannels x inputHeight x inputWidth` values in
    /// `layout`, `output` `batch x outputChannels x outputHeight x outputWidth`.
    public func forward(input: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>) throws {
        try KernelError.checkCount("convolution input elements (batch x inputChannels x inputHeight x inputWidth)",
                                   expected: shape.inputCount, got: input.count)
        try KernelError.checkCount("convolution output elements (batch x outputChannels x outputHeight x outputWidth)",
                                   expected: shape.outputCount, got: output.count)
        guard shape.outputCount > 0, let y = output.baseAddress else { return }
        let x = input.baseAddress ?? UnsafePointer(y)
        switch algorithm {
        case .naive:
            NaiveConvolution.run(shape, layout: layout, input: x, weights: weights.pointer, bias: bias?.pointer,
                                 activation: activation, output: y)
        case .im2col:
            Im2colConvolution.run(shape, layout: layout, input: x, weights: weights.pointer, bias: bias?.pointer,
                                  packedGroups: packedGroups, activation: activation, output: y,
                                  workspace: workspace.pointer, threads: threads, kernel: microkernel)
        case .direct:
            direct!.run(layout, x, activation, y, workspace.pointer, threads)
        }
    }
}
