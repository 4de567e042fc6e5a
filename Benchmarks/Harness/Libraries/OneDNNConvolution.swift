import NNKernels
import OneDNNShim

/// oneDNN's forward convolution for one layer, bias and ReLU fused (`OneDNNShim`), as the bench's
/// yardstick for `Convolution2D`. Its threads are OpenMP's (`LibraryGemm.setThreads`).
final class OneDNNConvolution {
    private let handle: OpaquePointer
    private let layer: String

    init(_ shape: ConvolutionShape, channelsLast: Bool, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>) throws {
        var error = [CChar](repeating: 0, count: 256)
        let created = nnk_onednn_convolution_create(
            Int64(shape.batch), Int64(shape.groups), Int64(shape.inputChannels), Int64(shape.inputHeight),
            Int64(shape.inputWidth), Int64(shape.outputChannels), Int64(shape.outputHeight), Int64(shape.outputWidth),
            Int64(shape.kernelHeight), Int64(shape.kernelWidth), Int64(shape.strideHeight), Int64(shape.strideWidth),
            Int64(shape.paddingHeight), Int64(shape.paddingWidth), Int64(shape.dilationHeight), Int64(shape.dilationWidth),
            channelsLast ? 1 : 0, weights, bias, &error, Int32(error.count))
        guard let created else {
            throw UsageError("oneDNN convolution \(shape): \(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
        handle = created
        layer = "\(shape)"
    }

    func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let status = nnk_onednn_convolution_run(handle, input, output)
        precondition(status == 0, "oneDNN convolution \(layer) failed")
    }

    deinit { nnk_onednn_convolution_destroy(handle) }
}
