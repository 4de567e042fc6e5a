import Foundation
import NNKernels

/// Convolutions on the layers of real networks (`conv.txt`, benchdnn syntax), in both layouts:
/// kernels `conv2d-nchw` and `conv2d-nhwc`, variants `naive`, `im2col` and `direct`. Every
/// layer has a bias and ReLU fused, as in the networks. FLOPs count every tap, padding included.
/// Weights are rearranged when the layer is created, outside the timing; a layout conversion of
/// the activations (direct on NCHW) is inside it.
enum ConvSuite: BenchSuite {
    static let name = "conv"
    static let variants = ConvolutionAlgorithm.allCases.map(\.rawValue)
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
                    let algorithm = ConvolutionAlgorithm(rawValue: variant)!
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
              let algorithm = ConvolutionAlgorithm(rawValue: row.variant),
              let descriptor = try? ConvDescriptor(parsing: row.shape) else { return nil }
        return try? convCase(descriptor, layout: layout, algorithm: algorithm, threads: row.threads)
    }

    static func convCase(_ descriptor: ConvDescriptor, layout: TensorLayout, algorithm: ConvolutionAlgorithm,
                         threads: Int) throws -> BenchCase {
        let shape = try descriptor.convolutionShape()
        return BenchCase(suite: name, kernel: "conv2d-\(layout.rawValue)", variant: algorithm.rawValue,
                         shape: descriptor.fullDescription, threads: threads, flops: shape.flops) {
            let x = AlignedFloatBuffer(count: shape.inputCount), w = AlignedFloatBuffer(count: shape.weightCount)
            let bias = AlignedFloatBuffer(count: shape.outputChannels), y = AlignedFloatBuffer(count: shape.outputCount)
            var state: UInt32 = 4321
            x.fillUniform(&state)
            let fanIn = shape.inputChannelsPerGroup * shape.kernelHeight * shape.kernelWidth
            w.fillUniform(&state, scale: 1.7 / Float(max(1, fanIn)).squareRoot())
            bias.fillUniform(&state, scale: 0.5)
            y.pointer.update(repeating: 0, count: y.count)
            let layer = try Convolution2D(shape: shape, layout: layout, algorithm: algorithm,
                                          weights: UnsafeBufferPointer(w.buffer), bias: UnsafeBufferPointer(bias.buffer),
                                          activation: .relu, threads: threads)
            let input = UnsafeBufferPointer(x.buffer), output = y.buffer
            let body = { try! layer.forward(input: input, output: output) }
            return PreparedCase(body: body, check: {
                body()
                return ConvCheck.check(shape, layout: layout, x: x.pointer, w: w.pointer, bias: bias.pointer, y: y.pointer)
            }, release: {
                _ = layer
                x.deallocate(); w.deallocate(); bias.deallocate(); y.deallocate()
            })
        }
    }
}

/// A convolution's outputs at sampled positions against a Double reference, with ReLU: each
/// within `(taps + 5)` ulp of the sum of |terms| (ReLU has slope 1 and adds no error).
/// `check_error` is the largest error as a fraction of its bound.
enum ConvCheck {
    static let samples = 512

    static func check(_ s: ConvolutionShape, layout: TensorLayout, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                      bias: UnsafePointer<Float>, y: UnsafePointer<Float>) -> CheckOutcome {
        let u = Double(Float.ulpOfOne)
        let cg = s.inputChannelsPerGroup, kg = s.outputChannelsPerGroup
        let oh = s.outputHeight, ow = s.outputWidth
        var state: UInt64 = 0x1234_5678
        var worst = 0.0
        for _ in 0..<min(samples, s.outputCount) {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let index = Int(state >> 20) % s.outputCount
            let (n, oc, oy, ox): (Int, Int, Int, Int)
            switch layout {
            case .nchw: (n, oc, oy, ox) = (index / (s.outputChannels * oh * ow), index / (oh * ow) % s.outputChannels, index / ow % oh, index % ow)
            case .nhwc: (n, oy, ox, oc) = (index / (oh * ow * s.outputChannels), index / (ow * s.outputChannels) % oh,
                                           index / s.outputChannels % ow, index % s.outputChannels)
            }
            let group = oc / kg
            var sum = Double(bias[oc]), magnitude = abs(sum)
            for c in 0..<cg {
                for ky in 0..<s.kernelHeight {
                    let iy = oy * s.strideHeight - s.paddingHeight + ky * s.dilationHeight
                    guard iy >= 0 && iy < s.inputHeight else { continue }
                    for kx in 0..<s.kernelWidth {
                        let ix = ox * s.strideWidth - s.paddingWidth + kx * s.dilationWidth
                        guard ix >= 0 && ix < s.inputWidth else { continue }
                        let channel = group * cg + c
                        let offset = layout == .nchw ? ((n * s.inputChannels + channel) * s.inputHeight + iy) * s.inputWidth + ix
                                                     : ((n * s.inputHeight + iy) * s.inputWidth + ix) * s.inputChannels + channel
                        let term = Double(x[offset]) * Double(w[((oc * cg + c) * s.kernelHeight + ky) * s.kernelWidth + kx])
                        sum += term
                        magnitude += abs(term)
                    }
                }
            }
            let expected = max(0, sum)
            let bound = Double(cg * s.kernelHeight * s.kernelWidth + 5) * u * magnitude + Double(Float.leastNormalMagnitude)
            let error = abs(Double(y[index]) - expected) / bound
            worst = error.isNaN ? .infinity : max(worst, error)
        }
        return CheckOutcome(passed: worst <= 1, maxError: worst)
    }
}
