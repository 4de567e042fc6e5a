/// The geometry of a 2-D convolution (PyTorch's `Conv2d` conventions): dilation 1 means
/// adjacent taps, padding is added on both sides, weights are `outputChannels x
/// inputChannels / groups x kernelHeight x kernelWidth` (OIHW) and the bias has one value per
/// output channel.
public struct ConvolutionShape: Equatable, Sendable, CustomStringConvertible {
    public var batch: Int
    public var groups: Int
    public var inputChannels: Int, inputHeight: Int, inputWidth: Int
    public var outputChannels: Int
    public var kernelHeight: Int, kernelWidth: Int
    public var strideHeight: Int, strideWidth: Int
    public var paddingHeight: Int, paddingWidth: Int
    public var dilationHeight: Int, dilationWidth: Int

    /// Validates every field; the error names the field, what was expected and what was given.
    public init(batch: Int, groups: Int = 1, inputChannels: Int, inputHeight: Int, inputWidth: Int,
                outputChannels: Int, kernelHeight: Int, kernelWidth: Int, strideHeight: Int = 1, strideWidth: Int = 1,
                paddingHeight: Int = 0, paddingWidth: Int = 0, dilationHeight: Int = 1, dilationWidth: Int = 1) throws {
        for (name, value) in [("batch", batch), ("inputChannels", inputChannels), ("inputHeight", inputHeight),
                              ("inputWidth", inputWidth), ("outputChannels", outputChannels)] where value < 0 {
            throw KernelError.invalidDimension(dimension: name, expected: ">= 0", got: value)
        }
        for (name, value) in [("groups", groups), ("kernelHeight", kernelHeight), ("kernelWidth", kernelWidth),
                              ("strideHeight", strideHeight), ("strideWidth", strideWidth),
                              ("dilationHeight", dilationHeight), ("dilationWidth", dilationWidth)] where value < 1 {
            throw KernelError.invalidDimension(dimension: name, expected: ">= 1", got: value)
        }
        for (name, value) in [("paddingHeight", paddingHeight), ("paddingWidth", paddingWidth)] where value < 0 {
            throw KernelError.invalidDimension(dimension: name, expected: ">= 0", got: value)
        }
        if inputChannels % groups != 0 {
            throw KernelError.invalidDimension(dimension: "inputChannels", expected: "a multiple of groups (\(groups))", got: inputChannels)
        }
        if outputChannels % groups != 0 {
            throw KernelError.invalidDimension(dimension: "outputChannels", expected: "a multiple of groups (\(groups))", got: outputChannels)
        }
        self.batch = batch; self.groups = groups
        self.inputChannels = inputChannels; self.inputHeight = inputHeight; self.inputWidth = inputWidth
        self.outputChannels = outputChannels
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight; self.strideWidth = strideWidth
        self.paddingHeight = paddingHeight; self.paddingWidth = paddingWidth
        self.dilationHeight = dilationHeight; self.dilationWidth = dilationWidth
        if outputHeight < 1 {
            throw KernelError.invalidDimension(
                dimension: "outputHeight (from inputHeight, kernelHeight, strideHeight, paddingHeight, dilationHeight)",
                expected: ">= 1", got: outputHeight)
        }
        if outputWidth < 1 {
            throw KernelError.invalidDimension(
                dimension: "outputWidth (from inputWidth, kernelWidth, strideWidth, paddingWidth, dilationWidth)",
                expected: ">= 1", got: outputWidth)
        }
    }

    public var outputHeight: Int {
        Self.outputSize(input: inputHeight, kernel: kernelHeight, stride: strideHeight, padding: paddingHeight, dilation: dilationHeight)
    }

    public var outputWidth: Int {
        Self.outputSize(input: inputWidth, kernel: kernelWidth, stride: strideWidth, padding: paddingWidth, dilation: dilationWidth)
    }

    /// Positions of a dilated kernel inside the padded input; 0 when it does not fit (rounding
    /// down, not toward zero, so a kernel larger than the input never counts as one position).
    static func outputSize(input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int) -> Int {
        let room = input + 2 * padding - (kernel - 1) * dilation - 1
        return room < 0 ? 0 : room / stride + 1
    }

    public var inputChannelsPerGroup: Int { inputChannels / groups }
    public var outputChannelsPerGroup: Int { outputChannels / groups }
    public var inputCount: Int { batch * inputChannels * inputHeight * inputWidth }
    public var outputCount: Int { batch * outputChannels * outputHeight * outputWidth }
    public var weightCount: Int { outputChannels * inputChannelsPerGroup * kernelHeight * kernelWidth }

    /// A 1x1 convolution with stride 1 and no padding: a GEMM over the input as it is.
    public var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1 && paddingHeight == 0 && paddingWidth == 0
    }

    /// 2 x multiply-adds, every tap counted, including those that fall on padding.
    public var flops: Double {
        2 * Double(batch) * Double(outputChannels) * Double(outputHeight) * Double(outputWidth)
            * Double(inputChannelsPerGroup) * Double(kernelHeight) * Double(kernelWidth)
    }

    public var description: String {
        "N\(batch) G\(groups) C\(inputChannels) \(inputHeight)x\(inputWidth) -> K\(outputChannels) \(outputHeight)x\(outputWidth), "
            + "kernel \(kernelHeight)x\(kernelWidth) stride \(strideHeight)x\(strideWidth) pad \(paddingHeight)x\(paddingWidth) "
            + "dilation \(dilationHeight)x\(dilationWidth)"
    }
}

/// How a 4-D activation tensor is laid out in memory.
public enum TensorLayout: String, Sendable, CaseIterable {
    /// Images, then channels, then rows, then columns (NumPy's and PyTorch's default).
    case nchw
    /// Images, then rows, then columns, then channels ("channels last").
    case nhwc

    /// Offset of element (n, c, h, w) of a tensor with `channels x height x width` per image.
    @inline(__always)
    func offset(n: Int, c: Int, h: Int, w: Int, channels: Int, height: Int, width: Int) -> Int {
        switch self {
        case .nchw: return ((n * channels + c) * height + h) * width + w
        case .nhwc: return ((n * height + h) * width + w) * channels + c
        }
    }
}

/// The convolution algorithms, each a bench variant.
public enum ConvolutionAlgorithm: String, Sendable, CaseIterable {
    /// The seven nested loops.
    case naive
    /// im2col into a reused buffer, then the packed GEMM with the fused epilogue; 1x1 stride-1
    /// convolutions skip the copy.
    case im2col
    /// SIMD direct convolution on a register tile of output pixels x output channels, from a
    /// zero-padded channels-last copy of the input; no im2col buffer.
    case direct
}
