/// The seven nested loops of the definition, in either layout: images, output channels, output
/// rows, output columns, then input channels of the group and the kernel's rows and columns.
/// Taps that fall on padding are skipped. The activation is the SIMD one applied to a single
/// value, so every algorithm's outputs differ only by the summation's rounding.
enum NaiveConvolution {
    static func run(_ s: ConvolutionShape, layout: TensorLayout, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                    bias: UnsafePointer<Float>?, activation: Activation, output: UnsafeMutablePointer<Float>) {
        let cg = s.inputChannelsPerGroup, kg = s.outputChannelsPerGroup
        let oh = s.outputHeight, ow = s.outputWidth
        for n in 0..<s.batch {
            for oc in 0..<s.outputChannels {
                let group = oc / kg
                for y in 0..<oh {
                    for x in 0..<ow {
                        var sum: Float = bias?[oc] ?? 0
                        for c in 0..<cg {
                            for ky in 0..<s.kernelHeight {
                                let iy = y * s.strideHeight - s.paddingHeight + ky * s.dilationHeight
                                if iy < 0 || iy >= s.inputHeight { continue }
                                for kx in 0..<s.kernelWidth {
                                    let ix = x * s.strideWidth - s.paddingWidth + kx * s.dilationWidth
                                    if ix < 0 || ix >= s.inputWidth { continue }
                                    let value = input[layout.offset(n: n, c: group * cg + c, h: iy, w: ix, channels: s.inputChannels,
                                                                    height: s.inputHeight, width: s.inputWidth)]
                                    sum += value * weights[((oc * cg + c) * s.kernelHeight + ky) * s.kernelWidth + kx]
                                }
                            }
                        }
                        output[layout.offset(n: n, c: oc, h: y, w: x, channels: s.outputChannels, height: oh, width: ow)] =
                            activation.simd(SIMD8(repeating: sum))[0]
                    }
                }
            }
        }
    }
}
