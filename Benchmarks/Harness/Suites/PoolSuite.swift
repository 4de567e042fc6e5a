import Foundation
import NNKernels

/// Max and average pooling (`pool.txt`), kernels `maxpool-nchw`, `avgpool-nhwc`, ...,
/// variants `naive` and `simd`. Bound by memory: rows report GB/s of the input read and the
/// output written once, and the share of the measured triad bandwidth.
enum PoolSuite: BenchSuite {
    static let name = "pool"
    static let variants = ElementwiseVariant.allCases.map(\.rawValue)

    struct Workload {
        var kind: PoolingKind
        var descriptor: ConvDescriptor

        init(parsing line: String) throws {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let kind = PoolingKind(rawValue: String(parts[0])) else {
                throw UsageError("pool workload '\(line)': expected max:DESCRIPTOR or avg:DESCRIPTOR")
            }
            self.kind = kind
            descriptor = try ConvDescriptor(parsing: String(parts[1]), outputChannelsDefaultToInput: true)
        }

        func shape() throws -> PoolingShape {
            try PoolingShape(batch: descriptor.mb, channels: descriptor.ic, inputHeight: descriptor.ih, inputWidth: descriptor.iw,
                             windowHeight: descriptor.kh, windowWidth: descriptor.kw, strideHeight: descriptor.sh,
                             strideWidth: descriptor.sw, paddingHeight: descriptor.ph, paddingWidth: descriptor.pw)
        }
    }

    static func workloads(quick: Bool) throws -> [Workload] {
        try Workloads.lines(quick ? "pool-quick" : "pool").map { try Workload(parsing: $0) }
    }

    static func workloadDescriptions(quick: Bool) throws -> [String] {
        try workloads(quick: quick).map { "\($0.kind.rawValue) \($0.descriptor.fullDescription)" }
    }

    static func cases(_ request: SuiteRequest) throws -> [BenchCase] {
        guard request.threads.contains(1) else { return [] }
        let chosen = request.variants.isEmpty ? variants : variants.filter(request.variants.contains)
        var cases: [BenchCase] = []
        for workload in try workloads(quick: request.quick) {
            for layout in TensorLayout.allCases {
                for variant in chosen {
                    cases.append(try poolCase(workload, layout: layout, variant: ElementwiseVariant(rawValue: variant)!))
                }
            }
        }
        return cases
    }

    static func benchCase(row: ReportRow) -> BenchCase? {
        let parts = row.kernel.split(separator: "-")
        guard parts.count == 2, parts[0].hasSuffix("pool"), let layout = TensorLayout(rawValue: String(parts[1])),
              let variant = ElementwiseVariant(rawValue: row.variant),
              let workload = try? Workload(parsing: "\(parts[0].dropLast(4)):\(row.shape)") else { return nil }
        return try? poolCase(workload, layout: layout, variant: variant)
    }

    static func poolCase(_ workload: Workload, layout: TensorLayout, variant: ElementwiseVariant) throws -> BenchCase {
        let shape = try workload.shape()
        let bytes = Double(MemoryLayout<Float>.size * (shape.inputCount + shape.outputCount))
        return BenchCase(suite: name, kernel: "\(workload.kind.rawValue)pool-\(layout.rawValue)", variant: variant.rawValue,
                         shape: workload.descriptor.fullDescription, threads: 1, flops: 0, bytes: bytes) {
            let x = AlignedFloatBuffer(count: shape.inputCount), y = AlignedFloatBuffer(count: shape.outputCount)
            var state: UInt32 = 99
            x.fillUniform(&state, scale: 4)
            y.pointer.update(repeating: 0, count: y.count)
            let input = UnsafeBufferPointer(x.buffer), output = y.buffer
            let body = { try! Pooling.forward(shape, kind: workload.kind, layout: layout, input: input, output: output, variant: variant) }
            return PreparedCase(body: body, check: {
                body()
                return PoolCheck.check(shape, kind: workload.kind, layout: layout, x: x.pointer, y: y.pointer)
            }, release: { x.deallocate(); y.deallocate() })
        }
    }
}

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
