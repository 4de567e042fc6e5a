import NNKernels

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
