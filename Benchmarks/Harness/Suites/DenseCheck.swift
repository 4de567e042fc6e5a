import Foundation
import NNKernels

/// Checks dense layers and MLPs against a Double reference on a sample of batch rows (every
/// column of each). The bound on each output: the GEMM's rounding, `(K + 4) ulp` of the sum of
/// |terms| and |bias|, carried through the activation's largest slope, plus the activation's own
/// error (`Activation.simdError`: its ULP bound and GELU's argument rounding); through an MLP
/// each layer also carries the previous layer's bound through |W|. `check_error` is the largest error as a
/// fraction of its bound: a row passes at 1 or below.
enum DenseCheck {
    static let sampledRows = 8

    static func sampleRows(_ m: Int) -> [Int] {
        m <= sampledRows ? Array(0..<m) : (0..<sampledRows).map { $0 * (m - 1) / (sampledRows - 1) }
    }

    /// One layer: values and bounds of `act(h * W + b)` for one row h with error bounds `hError`.
    static func forwardRow(_ h: [Double], _ hError: [Double], _ layer: DenseOperands, activation: Activation,
                           withBias: Bool) -> ([Double], [Double]) {
        let u = Double(Float.ulpOfOne)
        let n = layer.n, k = layer.k
        var values = [Double](repeating: 0, count: n), bounds = values
        for j in 0..<n {
            let b = withBias ? Double(layer.bias.pointer[j]) : 0
            var sum = b, magnitude = abs(b), carried = 0.0
            for p in 0..<k {
                let w = Double(layer.w.pointer[p * n + j])
                sum += h[p] * w
                magnitude += abs(h[p] * w)
                carried += abs(w) * hError[p]
            }
            let value = activation.reference(sum)
            values[j] = value
            bounds[j] = activation.largestSlope * (carried + Double(k + 4) * u * magnitude)
                + activation.simdError(argument: sum, value: value) + Double(Float.leastNormalMagnitude)
        }
        return (values, bounds)
    }

    static func layer(_ layer: DenseOperands, activation: Activation, withBias: Bool) -> CheckOutcome {
        var worst = 0.0
        for i in sampleRows(layer.m) {
            let h = (0..<layer.k).map { Double(layer.x.pointer[i * layer.k + $0]) }
            let (values, bounds) = forwardRow(h, [Double](repeating: 0, count: layer.k), layer, activation: activation,
                                              withBias: withBias)
            for j in 0..<layer.n {
                let error = abs(Double(layer.y.pointer[i * layer.n + j]) - values[j]) / bounds[j]
                worst = error.isNaN ? .infinity : max(worst, error)
            }
        }
        return CheckOutcome(passed: worst <= 1, maxError: worst)
    }

    static func mlp(_ network: MLPOperands) -> CheckOutcome {
        let u = Double(Float.ulpOfOne)
        let widths = network.shape.widths
        let n = widths.last!
        var worst = 0.0
        for i in sampleRows(network.shape.batch) {
            var h = (0..<widths[0]).map { Double(network.input.pointer[i * widths[0] + $0]) }
            var error = [Double](repeating: 0, count: h.count)
            for (index, layer) in network.layers.enumerated() {
                (h, error) = forwardRow(h, error, layer, activation: network.activation(layer: index), withBias: true)
            }
            if network.shape.output == "softmax" {
                let maximum = h.max()!
                let total = h.reduce(0) { $0 + exp($1 - maximum) }
                let worstInput = error.max()!
                for j in 0..<n {
                    let s = exp(h[j] - maximum) / total
                    h[j] = s
                    // log s_j moves by at most twice the largest input error; the kernel adds n + 6 roundings.
                    error[j] = s * (exp(2 * worstInput) - 1) + Double(n + 6) * u * s + Double(Float.leastNormalMagnitude)
                }
            }
            for j in 0..<n {
                let e = abs(Double(network.output.pointer[i * n + j]) - h[j]) / error[j]
                worst = e.isNaN ? .infinity : max(worst, e)
            }
        }
        return CheckOutcome(passed: worst <= 1, maxError: worst)
    }
}
