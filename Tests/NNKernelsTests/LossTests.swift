import Foundation
import Testing
import NNKernels

@Suite("Losses")
struct LossTests {
    @Test("mean squared error against Double", arguments: ElementwiseVariant.allCases)
    func meanSquaredError(_ variant: ElementwiseVariant) throws {
        var rng = SplitMix64(seed: 11)
        for count in [0, 1, 7, 8, 31, 32, 33, 1000, 4099] {
            let p = [Float].random(count: count, in: -3...3, using: &rng)
            let t = [Float].random(count: count, in: -3...3, using: &rng)
            let got = try p.withUnsafeBufferPointer { p in
                try t.withUnsafeBufferPointer { t in try Losses.meanSquaredError(prediction: p, target: t, variant: variant) }
            }
            var total = 0.0
            for i in 0..<count {
                let d = Double(p[i]) - Double(t[i])
                total += d * d
            }
            let expected = count == 0 ? 0 : total / Double(count)
            // Each term: 2 roundings; the sum: count; the division: 1.
            let bound = Double(count + 3) * Double(Float.ulpOfOne) * expected
            #expect(abs(Double(got) - expected) <= bound, "MSE \(variant) n=\(count): \(got) vs \(expected) +- \(bound)")
        }
    }

    @Test("softmax cross-entropy through log-sum-exp against Double", arguments: ElementwiseVariant.allCases)
    func crossEntropy(_ variant: ElementwiseVariant) throws {
        var rng = SplitMix64(seed: 12)
        for (rows, columns, scale) in [(1, 1, Float(1)), (3, 10, 5), (17, 33, 30), (64, 1000, 80)] {
            let logits = [Float].random(count: rows * columns, in: -scale...scale, using: &rng)
            let labels = (0..<rows).map { _ in Int32.random(in: 0..<Int32(columns), using: &rng) }
            let got = try logits.withUnsafeBufferPointer { z in
                try labels.withUnsafeBufferPointer { l in
                    try Losses.softmaxCrossEntropy(logits: z, rows: rows, columns: columns, labels: l, variant: variant)
                }
            }
            var total = 0.0, bound = 0.0
            let u = Double(Float.ulpOfOne)
            for r in 0..<rows {
                let row = logits[(r * columns)..<((r + 1) * columns)].map(Double.init)
                let maximum = row.max()!
                let lse = maximum + log(row.reduce(0) { $0 + exp($1 - maximum) })
                let target = row[Int(labels[r])]
                total += lse - target
                // The sum of exps: (columns + 4) roundings, each relative, so absolute in its log;
                // max + log and the subtraction: a few ulp of their magnitudes.
                bound += Double(columns + 6) * u + 4 * u * (abs(maximum) + abs(lse) + abs(target))
            }
            let expected = total / Double(rows)
            bound = bound / Double(rows) + Double(rows + 1) * u * abs(expected)
            #expect(abs(Double(got) - expected) <= bound, "CE \(variant) \(rows)x\(columns): \(got) vs \(expected) +- \(bound)")
        }
    }

    @Test("huge logits stay finite; bad labels are named", arguments: ElementwiseVariant.allCases)
    func edgeCases(_ variant: ElementwiseVariant) throws {
        let logits: [Float] = [1e30, 0, -1e30, 100, -100, 50]
        let loss = try logits.withUnsafeBufferPointer { z in
            try [Int32(0), 2].withUnsafeBufferPointer { l in
                try Losses.softmaxCrossEntropy(logits: z, rows: 2, columns: 3, labels: l, variant: variant)
            }
        }
        // Row 0: the right class dominates: 0. Row 1: log-sum-exp is 100, the label's logit 50.
        #expect(abs(loss - 25) <= 2 * Float(25).ulp, "got \(loss)")
        #expect(throws: KernelError.invalidDimension(dimension: "labels[1]", expected: "0..<3", got: 3)) {
            try logits.withUnsafeBufferPointer { z in
                try [Int32(0), 3].withUnsafeBufferPointer { l in
                    try Losses.softmaxCrossEntropy(logits: z, rows: 2, columns: 3, labels: l, variant: variant)
                }
            }
        }
        #expect(throws: KernelError.shapeMismatch(what: "MSE target elements (one per prediction)", expected: "6", got: "5")) {
            try logits.withUnsafeBufferPointer { p in
                try Array(logits.prefix(5)).withUnsafeBufferPointer { t in try Losses.meanSquaredError(prediction: p, target: t, variant: variant) }
            }
        }
    }
}
