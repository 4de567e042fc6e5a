import Foundation
import NNKernels

/// Activations and row-wise softmax, `naive` (one element at a time through the standard
/// library) against `simd`, on sizes from L1-resident to memory-bound. Rows report GB/s of the
/// bytes read and written once (8 per element) and its share of the measured triad bandwidth.
enum ActivationSuite: BenchSuite {
    static let name = "activation"
    static let variants = ElementwiseVariant.allCases.map(\.rawValue)
    static let kernels = ["relu", "leaky-relu", "sigmoid", "tanh", "gelu", "gelu-erf", "softmax"]
    static let softmaxColumns = 1024
    /// The largest error in ULP each kernel may show in `--check` (see VectorMath; the naive
    /// kernels go through the C library's single-precision functions).
    static func ulpBound(_ kernel: String, _ variant: ElementwiseVariant) -> Double {
        if kernel == "softmax" { return variant == .simd ? 3 : 8 }
        // Exact kernels (ReLU, leaky ReLU) keep their bound in both variants; the naive ones
        // go through the C library's functions, 8 ulp.
        let bound = Activation(name: kernel)!.simdULPBound
        return variant == .simd || bound < 1 ? bound : max(8, bound)
    }

    static func workloadFile(quick: Bool) -> String { quick ? "activation-quick" : "activation" }

    static func sizes(quick: Bool) throws -> [Int] {
        try Workloads.lines(workloadFile(quick: quick)).map { line in
            guard let count = Int(line), count > 0 else { throw UsageError("activation workload: expected an element count, got '\(line)'") }
            return count
        }
    }

    static func workloadDescriptions(quick: Bool) throws -> [String] {
        try sizes(quick: quick).map { "\(kernels.joined(separator: ", ")) over \($0) elements" }
    }

    static func cases(_ request: SuiteRequest) throws -> [BenchCase] {
        guard request.threads.contains(1) else { return [] }
        let variants = request.variants.isEmpty ? Self.variants : Self.variants.filter(request.variants.contains)
        var cases: [BenchCase] = []
        for count in try sizes(quick: request.quick) {
            for kernel in kernels {
                for variant in variants {
                    cases.append(activationCase(kernel, ElementwiseVariant(rawValue: variant)!, count: count))
                }
            }
        }
        return cases
    }

    /// The case behind a report row (`n:COUNT`, or `ROWSx1024` for softmax), for `--compare`.
    static func activationCase(row: ReportRow) -> BenchCase? {
        guard kernels.contains(row.kernel), let variant = ElementwiseVariant(rawValue: row.variant) else { return nil }
        let count: Int?
        if row.shape.hasPrefix("n:") {
            count = Int(row.shape.dropFirst(2))
        } else {
            let parts = row.shape.split(separator: "x")
            count = parts.count == 2 && Int(parts[1]) == softmaxColumns ? Int(parts[0]).map { $0 * softmaxColumns } : nil
        }
        guard let count, count > 0 else { return nil }
        return activationCase(row.kernel, variant, count: count)
    }

    static func activationCase(_ kernel: String, _ variant: ElementwiseVariant, count: Int) -> BenchCase {
        let isSoftmax = kernel == "softmax"
        let rows = max(1, count / softmaxColumns)
        let shape = isSoftmax ? "\(rows)x\(softmaxColumns)" : "n:\(count)"
        let elements = isSoftmax ? rows * softmaxColumns : count
        return BenchCase(suite: name, kernel: kernel, variant: variant.rawValue, shape: shape, threads: 1,
                         flops: 0, bytes: Double(8 * elements)) {
            let x = AlignedFloatBuffer(count: elements), y = AlignedFloatBuffer(count: elements)
            var state: UInt32 = 2024
            x.fillUniform(&state, scale: 8)
            y.pointer.update(repeating: 0, count: elements)
            let input = UnsafeBufferPointer(x.buffer), output = y.buffer
            let body: () -> Void
            if isSoftmax {
                body = {
                    try! Activations.softmax(rows: rows, columns: softmaxColumns, input: input, inputStride: softmaxColumns,
                                             output: output, outputStride: softmaxColumns, variant: variant)
                }
            } else {
                let activation = Activation(name: kernel)!
                body = { try! Activations.apply(activation, input: input, output: output, variant: variant) }
            }
            return PreparedCase(body: body, check: {
                body()
                return isSoftmax ? checkSoftmax(x.pointer, y.pointer, rows: rows)
                                 : checkActivation(Activation(name: kernel)!, variant, x.pointer, y.pointer, count: elements)
            }, release: { x.deallocate(); y.deallocate() })
        }
    }

    /// Every element (or every 97th of a large buffer) within the kernel's ULP bound.
    static func checkActivation(_ activation: Activation, _ variant: ElementwiseVariant, _ x: UnsafePointer<Float>,
                                _ y: UnsafePointer<Float>, count: Int) -> CheckOutcome {
        let step = count > 1 << 20 ? 97 : 1
        let bound = ulpBound(activation.description, variant)
        var worst = 0.0
        var passed = true
        for i in stride(from: 0, to: count, by: step) {
            let reference = activation.reference(Double(x[i]))
            let spacing = Double(max(Float(reference).ulp, Float.leastNonzeroMagnitude))
            let absolute = abs(Double(y[i]) - reference)
            var error = absolute / spacing
            switch variant {
            case .simd:
                error -= activation.argumentRoundingULP(Double(x[i]))
                if !(error <= bound) { passed = false }
            case .naive:
                // The tutorial formulas cancel (see ActivationAccuracyTests): within the bound in
                // ulp, or 4 ulp-of-1 times |x| absolute, or below the smallest normal Float.
                let cancellation = absolute <= 4 * Double(Float.ulpOfOne) * Double(abs(x[i]))
                if !(error <= bound || cancellation || absolute < Double(Float.leastNormalMagnitude)) { passed = false }
            }
            worst = error.isNaN ? .infinity : max(worst, error)
        }
        return CheckOutcome(passed: passed, maxError: worst)
    }

    /// Each row against a Double softmax, relative to the row's largest output.
    static func checkSoftmax(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, rows: Int) -> CheckOutcome {
        var worst = 0.0
        for row in stride(from: 0, to: rows, by: max(1, rows / 64)) {
            let base = row * softmaxColumns
            var maximum = -Double.infinity
            for j in 0..<softmaxColumns { maximum = max(maximum, Double(x[base + j])) }
            var total = 0.0
            for j in 0..<softmaxColumns { total += Foundation.exp(Double(x[base + j]) - maximum) }
            for j in 0..<softmaxColumns {
                let expected = Foundation.exp(Double(x[base + j]) - maximum) / total
                // In ulp of 1, less the bound's argument-rounding part (see SoftmaxTests).
                let error = abs(Double(y[base + j]) - expected) / max(expected, 1e-30) / Double(Float.ulpOfOne)
                worst = max(worst, error - abs(Double(x[base + j]) - maximum))
            }
        }
        return CheckOutcome(passed: worst <= Double(softmaxColumns + 4), maxError: worst)
    }
}
