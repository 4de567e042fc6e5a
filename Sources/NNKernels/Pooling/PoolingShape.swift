/// The geometry of a 2-D pooling layer: a window slides over each channel of each image.
/// Padding is added on both sides and never contributes a value: max pooling ignores it and
/// average pooling divides by the number of taps inside the image (PyTorch's
/// `count_include_pad=False`, oneDNN's `avg_exclude_padding`).
public struct PoolingShape: Equatable, Sendable, CustomStringConvertible {
    public var batch: Int, channels: Int
    public var inputHeight: Int, inputWidth: Int
    public var windowHeight: Int, windowWidth: Int
    public var strideHeight: Int, strideWidth: Int
    public var paddingHeight: Int, paddingWidth: Int

    public init(batch: Int, channels: Int, inputHeight: Int, inputWidth: Int, windowHeight: Int, windowWidth: Int,
                strideHeight: Int = 1, strideWidth: Int = 1, paddingHeight: Int = 0, paddingWidth: Int = 0) throws {
        for (name, value) in [("batch", batch), ("channels", channels), ("inputHeight", inputHeight), ("inputWidth", inputWidth)]
        where value < 0 {
            throw KernelError.invalidDimension(dimension: name, expected: ">= 0", got: value)
        }
        for (name, value) in [("windowHeight", windowHeight), ("windowWidth", windowWidth),
                              ("strideHeight", strideHeight), ("strideWidth", strideWidth)] where value < 1 {
            throw KernelError.invalidDimension(dimension: name, expected: ">= 1", got: value)
        }
        // Every window must hold at least one real value (PyTorch's rule: padding at most half the window).
        if paddingHeight < 0 || 2 * paddingHeight > windowHeight {
            throw KernelError.invalidDimension(dimension: "paddingHeight", expected: "0...\(windowHeight / 2) (half the window)", got: paddingHeight)
        }
        if paddingWidth < 0 || 2 * paddingWidth > windowWidth {
            throw KernelError.invalidDimension(dimension: "paddingWidth", expected: "0...\(windowWidth / 2) (half the window)", got: paddingWidth)
        }
        self.batch = batch; self.channels = channels
        self.inputHeight = inputHeight; self.inputWidth = inputWidth
        self.windowHeight = windowHeight; self.windowWidth = windowWidth
        self.strideHeight = strideHeight; self.strideWidth = strideWidth
        self.paddingHeight = paddingHeight; self.paddingWidth = paddingWidth
        if outputHeight < 1 {
            throw KernelError.invalidDimension(dimension: "outputHeight (from inputHeight, windowHeight, strideHeight, paddingHeight)",
                                               expected: ">= 1", got: outputHeight)
        }
        if outputWidth < 1 {
            throw KernelError.invalidDimension(dimension: "outputWidth (from inputWidth, windowWidth, strideWidth, paddingWidth)",
                                               expected: ">= 1", got: outputWidth)
        }
    }

    public var outputHeight: Int {
        ConvolutionShape.outputSize(input: inputHeight, kernel: windowHeight, stride: strideHeight, padding: paddingHeight, dilation: 1)
    }

    public var outputWidth: Int {
        ConvolutionShape.outputSize(input: inputWidth, kernel: windowWidth, stride: strideWidth, padding: paddingWidth, dilation: 1)
    }

    public var inputCount: Int { batch * channels * inputHeight * inputWidth }
    public var outputCount: Int { batch * channels * outputHeight * outputWidth }

    /// Input rows (or columns) under output row `o`: the window clipped to the image.
    @inline(__always)
    func window(_ o: Int, stride: Int, padding: Int, size: Int, extent: Int) -> Range<Int> {
        let start = o * stride - padding
        return max(0, start)..<min(extent, start + size)
    }

    public var description: String {
        "N\(batch) C\(channels) \(inputHeight)x\(inputWidth) -> \(outputHeight)x\(outputWidth), window \(windowHeight)x\(windowWidth) "
            + "stride \(strideHeight)x\(strideWidth) pad \(paddingHeight)x\(paddingWidth)"
    }
}

/// Max or average.
public enum PoolingKind: String, Sendable, CaseIterable {
    case max
    case average = "avg"
}
