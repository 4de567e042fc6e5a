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
