import Foundation

/// The losses the tutorials pair with these layers, each `naive` (one element at a time) and
/// `simd`.
public enum Losses {
    typealias Vector = SIMD8<Float>

    /// Mean squared error, `sum((prediction - target)^2) / count`; 0 for empty inputs.
    public static func meanSquaredError(prediction: UnsafeBufferPointer<Float>, target: UnsafeBufferPointer<Float>,
                                        variant: ElementwiseVariant = .simd) throws -> Float {
        guard prediction.count == target.count else {
            throw KernelError.shapeMismatch(what: "MSE target elements (one per prediction)",
                                            expected: "\(prediction.count)", got: "\(target.count)")
        }
        let n = prediction.count
        guard n > 0, let p = prediction.baseAddress, let t = target.baseAddress else { return 0 }
        var sum: Float = 0
        switch variant {
        case .naive:
            for i in 0..<n {
                let d = p[i] - t[i]
                sum += d * d
            }
        case .simd:
            // Four accumulators: four independent FMA chains, and a shorter summation path.
            var acc = InlineArray<4, Vector>(repeating: .zero)
            let rp = UnsafeRawPointer(p), rt = UnsafeRawPointer(t)
            let width = Vector.scalarCount
            var i = 0
            while i + 4 * width <= n {
                for u in 0..<4 {
                    let offset = (i + u * width) * 4
                    let d = rp.loadUnaligned(fromByteOffset: offset, as: Vector.self) - rt.loadUnaligned(fromByteOffset: offset, as: Vector.self)
                    acc[u].addProduct(d, d)
                }
                i += 4 * width
            }
            while i + width <= n {
                let d = rp.loadUnaligned(fromByteOffset: i * 4, as: Vector.self) - rt.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
                acc[0].addProduct(d, d)
                i += width
            }
            sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])).sum()
            while i < n {
                let d = p[i] - t[i]
                sum += d * d
                i += 1
            }
        }
        return sum / Float(n)
    }

    /// Softmax cross-entropy averaged over rows: for each row of logits z and its class label y,
    /// `log(sum_j exp(z_j)) - z_y`, with the log-sum-exp taken as `max + log(sum exp(z - max))`
    /// so no exp overflows (the row maximum contributes exp(0) = 1, so the log is never of 0).
    /// 0 for no rows.
    public static func softmaxCrossEntropy(logits: UnsafeBufferPointer<Float>, rows: Int, columns: Int,
                                           labels: UnsafeBufferPointer<Int32>,
                                           variant: ElementwiseVariant = .simd) throws -> Float {
        try KernelError.checkNonNegative("rows", rows)
        try KernelError.checkNonNegative("columns", columns)
        if logits.count != rows * columns {
            throw KernelError.shapeMismatch(what: "logits elements (rows \(rows) x columns \(columns))",
                                            expected: "\(rows * columns)", got: "\(logits.count)")
        }
        if labels.count != rows {
            throw KernelError.shapeMismatch(what: "labels (one per row)", expected: "\(rows)", got: "\(labels.count)")
        }
        for (row, label) in labels.enumerated() where label < 0 || Int(label) >= columns {
            throw KernelError.invalidDimension(dimension: "labels[\(row)]", expected: "0..<\(columns)", got: Int(label))
        }
        guard rows > 0, let z = logits.baseAddress else { return 0 }
        var total: Float = 0
        for row in 0..<rows {
            let x = z + row * columns
            total += logSumExp(x, columns, variant) - x[Int(labels[row])]
        }
        return total / Float(rows)
    }

    /// log(sum exp(x)) over one row, shifted by its maximum. A row holding +inf or NaN gives
    /// NaN or +inf as the formula's limit does.
    static func logSumExp(_ x: UnsafePointer<Float>, _ n: Int, _ variant: ElementwiseVariant) -> Float {
        var maximum = -Float.infinity
        for i in 0..<n { maximum = max(maximum, x[i]) }
        for i in 0..<n where x[i].isNaN { return .nan }
        if !maximum.isFinite { return maximum }
        var sum: Float = 0
        switch variant {
        case .naive:
            for i in 0..<n { sum += Foundation.exp(x[i] - maximum) }
        case .simd:
            let shift = Vector(repeating: maximum)
            let raw = UnsafeRawPointer(x)
            var sums = Vector.zero
            var i = 0
            while i + Vector.scalarCount <= n {
                sums += VectorMath.expUpTo44(raw.loadUnaligned(fromByteOffset: i * 4, as: Vector.self) - shift)
                i += Vector.scalarCount
            }
            if i < n {
                var tail = Vector(repeating: -.infinity)
                for lane in 0..<(n - i) { tail[lane] = x[i + lane] }
                sums += VectorMath.expUpTo44(tail - shift)
            }
            sum = sums.sum()
        }
        return maximum + Foundation.log(sum)
    }
}
