import NNKernels

/// Every output against Double: max exactly, average within (taps + 2) ulp of the mean of |x|.
enum PoolCheck {
    static func check(_ s: PoolingShape, kind: PoolingKind, layout: TensorLayout, x: UnsafePointer<Float>,
                      y: UnsafePointer<Float>) -> CheckOutcome {
        let (c, h, w, oh, ow) = (s.channels, s.inputHeight, s.inputWidth, s.outputHeight, s.outputWidth)
        let u = Double(Float.ulpOfOne)
        var worst = 0.0
        var passed = true
        for n in 0..<s.batch {
            for ch in 0..<c {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var maximum = -Double.infinity, sum = 0.0, magnitude = 0.0, count = 0
                        let y0 = oy * s.strideHeight - s.paddingHeight, x0 = ox * s.strideWidth - s.paddingWidth
                        for iy in max(0, y0)..<min(h, y0 + s.windowHeight) {
                            for ix in max(0, x0)..<min(w, x0 + s.windowWidth) {
                                let v = Double(x[layout == .nchw ? ((n * c + ch) * h + iy) * w + ix : ((n * h + iy) * w + ix) * c + ch])
                                maximum = max(maximum, v); sum += v; magnitude += abs(v); count += 1
                            }
                        }
                        let index = layout == .nchw ? ((n * c + ch) * oh + oy) * ow + ox : ((n * oh + oy) * ow + ox) * c + ch
                        let got = Double(y[index])
                        if kind == .max {
                            if got != maximum { passed = false; worst = .infinity }
                        } else {
                            let bound = Double(count + 2) * u * magnitude / Double(count) + Double(Float.leastNormalMagnitude)
                            let error = abs(got - sum / Double(count)) / bound
                            if !(error <= 1) { passed = false }
                            worst = error.isNaN ? .infinity : max(worst, error)
                        }
                    }
                }
            }
        }
        return CheckOutcome(passed: passed, maxError: worst)
    }
}
