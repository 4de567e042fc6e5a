import Foundation
import NNKernels

/// Convolutions on the layers of real networks (`conv.txt`, benchdnn syntax), in both layouts:
/// kernels `conv2d-nchw` and `conv2d-nhwc`, variants `naive`, `im2col` and `direct`, and oneDNN's
/// convolution primitive beside them (`onednn`, what PyTorch runs on the CPU). Every
/// layer has a bias and ReLU fused, as in the networks. FLOPs count every tap, padding included.
/// Weights are rearranged when the layer is created, outside the timing; a layout conversion of
/// the activations (direct on NCHW) is inside it.
enum ConvSuite: BenchSuite {
    static let name = "conv"
    static let variants = ConvolutionAlgorithm.allCases.map(\.rawValue) + [oneDNNVariant]
    static let oneDNNVariant = LibraryGemm.onednn.rawValue
    /// The seven loops take seconds above this; larger layers skip `naive`.
    static let naiveFlopLimit = 3e8

    static func descriptors(quick: Bool) throws -> [ConvDescriptor] {
        try Workloads.lines(quick ? "conv-quick" : "conv").map { try ConvDescriptor(parsing: $0) }
    }

    static func workloadDescriptions(quick: Bool) throws -> [String] {
        try descriptors(quick: quick).map(\.fullDescription)
    }

    static func cases(_ request: SuiteRequest) throws -> [BenchCase] {
        let descriptors = request.convDescriptors.isEmpty ? try descriptors(quick: request.quick) : request.convDescriptors
        let chosen = request.variants.isEmpty ? variants : variants.filter(request.variants.contains)
        var cases: [BenchCase] = []
        for descriptor in descriptors {
            for layout in TensorLayout.allCases {
                for variant in chosen {
                    guard let algorithm = ConvolutionAlgorithm(rawValue: variant) else {
                        for threads in request.threads { cases.append(try oneDNNCase(descriptor, layout: layout, threads: threads)) }
                        continue
                    }
                    // The quick subset leaves the seconds-long naive loops out altogether.
                    if algorithm == .naive && (request.quick || descriptor.flops > naiveFlopLimit) { continue }
                    for threads in request.threads where threads == 1 || algorithm != .naive {
                        cases.append(try convCase(descriptor, layout: layout, algorithm: algorithm, threads: threads))
                    }
                }
            }
        }
        return cases
    }

    static func benchCase(row: ReportRow) -> BenchCase? {
        guard row.kernel.hasPrefix("conv2d-"), let layout = TensorLayout(rawValue: String(row.kernel.dropFirst("conv2d-".count))),
              let descriptor = try? ConvDescriptor(parsing: row.shape) else { return nil }
        if row.variant == oneDNNVariant { return try? oneDNNCase(descriptor, layout: layout, threads: row.threads) }
        guard let algorithm = ConvolutionAlgorithm(rawValue: row.variant) else { return nil }
        return try? convCase(descriptor, layout: layout, algorithm: algorithm, threads: row.threads)
    }

    /// A layer's operands: input, OIHW weights (scaled by the fan-in), bias, zeroed output.
    struct Operands {
        let x: AlignedFloatBuffer, w: AlignedFloatBuffer, bias: AlignedFloatBuffer, y: AlignedFloatBuffer

        init(_ shape: ConvolutionShape) {
            x = AlignedFloatBuffer(count: shape.inputCount)
            w = AlignedFloatBuffer(count: shape.weightCount)
            bias = AlignedFloatBuffer(count: shape.outputChannels)
            y = AlignedFloatBuffer(count: shape.outputCount)
            var state: UInt32 = 4321
            x.fillUniform(&state)
            let fanIn = shape.inputChannelsPerGroup * shape.kernelHeight * shape.kernelWidth
            w.fillUniform(&state, scale: 1.7 / Float(max(1, fanIn)).squareRoot())
            bias.fillUniform(&state, scale: 0.5)
            y.pointer.update(repeating: 0, count: y.count)
        }

        func check(_ shape: ConvolutionShape, layout: TensorLayout) -> CheckOutcome {
            ConvCheck.check(shape, layout: layout, x: x.pointer, w: w.pointer, bias: bias.pointer, y: y.pointer)
        }

        func release() {
            x.deallocate(); w.deallocate(); bias.deallocate(); y.deallocate()
        }
    }

    static func convCase(_ descriptor: ConvDescriptor, layout: TensorLayout, algorithm: ConvolutionAlgorithm,
                         threads: Int) throws -> BenchCase {
        try layerCase(descriptor, layout: layout, variant: algorithm.rawValue, threads: threads) { shape, operands in
            let layer = try Convolution2D(shape: shape, layout: layout, algorithm: algorithm,
                                          weights: UnsafeBufferPointer(operands.w.buffer),
                                          bias: UnsafeBufferPointer(operands.bias.buffer), activation: .relu, threads: threads)
            let input = UnsafeBufferPointer(operands.x.buffer), output = operands.y.buffer
            return { try! layer.forward(input: input, output: output) }
        }
    }

    /// oneDNN's convolution primitive on the same layer, activations in the same layout, its
    /// weights reordered once when it is created (`OneDNNConvolution`).
    static func oneDNNCase(_ descriptor: ConvDescriptor, layout: TensorLayout, threads: Int) throws -> BenchCase {
        try layerCase(descriptor, layout: layout, variant: oneDNNVariant, threads: threads) { shape, operands in
            LibraryGemm.onednn.setThreads(threads)
            let layer = try OneDNNConvolution(shape, channelsLast: layout == .nhwc, weights: operands.w.pointer,
                                              bias: operands.bias.pointer)
            let input = UnsafePointer(operands.x.pointer), output = operands.y.pointer
            return { layer.forward(input: input, output: output) }
        }
    }

    /// One layer's case: its operands made just before timing, the timed call that `makeBody`
    /// builds on them (the closure holds the layer, kept until release), the check against the
    /// `Double` reference.
    private static func layerCase(_ descriptor: ConvDescriptor, layout: TensorLayout, variant: String, threads: Int,
                                  makeBody: @escaping (ConvolutionShape, Operands) throws -> () -> Void) throws -> BenchCase {
        let shape = try descriptor.convolutionShape()
        return BenchCase(suite: name, kernel: "conv2d-\(layout.rawValue)", variant: variant,
                         shape: descriptor.fullDescription, threads: threads, flops: shape.flops) {
            let operands = Operands(shape)
            let body = try makeBody(shape, operands)
            return PreparedCase(body: body, check: {
                body()
                return operands.check(shape, layout: layout)
            }, release: {
                _ = body
                operands.release()
            })
        }
    }
}
