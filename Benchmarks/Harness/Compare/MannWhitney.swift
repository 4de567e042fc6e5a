import Foundation

/// The Mann-Whitney U test (Wilcoxon rank-sum), as Google Benchmark's compare.py uses: it asks
/// whether one set of timings tends to be larger than another without assuming they are normal.
/// The p-value comes from the normal approximation with tie and continuity corrections, which
/// is within a few percent of the exact value from about 8 samples a side.
enum MannWhitney {
    /// One-sided p-value for "values in `larger` tend to exceed values in `smaller`".
    static func pValue(larger: [Double], smaller: [Double]) -> Double? {
        let n1 = Double(larger.count), n2 = Double(smaller.count)
        guard n1 > 0, n2 > 0 else { return nil }
        // Rank the pooled samples, ties taking the mean of their ranks.
        let pooled = (larger.map { ($0, 0) } + smaller.map { ($0, 1) }).sorted { $0.0 < $1.0 }
        var ranks = [Double](repeating: 0, count: pooled.count)
        var tieTerm = 0.0
        var start = 0
        while start < pooled.count {
            var end = start
            while end + 1 < pooled.count && pooled[end + 1].0 == pooled[start].0 { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for index in start...end { ranks[index] = rank }
            let t = Double(end - start + 1)
            tieTerm += t * t * t - t
            start = end + 1
        }
        let rankSum = zip(pooled, ranks).filter { $0.0.1 == 0 }.reduce(0) { $0 + $1.1 }
        let u = rankSum - n1 * (n1 + 1) / 2
        let mean = n1 * n2 / 2
        let n = n1 + n2
        let variance = n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
        guard variance > 0 else { return u > mean ? 0 : 1 }
        let z = (u - mean - 0.5) / variance.squareRoot()
        return 0.5 * erfc(z / 2.0.squareRoot())
    }
}
