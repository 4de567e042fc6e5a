/// Median, extremes and spread of repeated timings.
public struct SampleStatistics: Equatable, Sendable {
    public var median: Double
    public var min: Double
    public var max: Double
    /// Coefficient of variation, percent: the sample standard deviation over the mean.
    public var cvPercent: Double
    public var count: Int

    public init?(_ samples: [Double]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        count = sorted.count
        median = count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2
        min = sorted[0]
        max = sorted[count - 1]
        let mean = sorted.reduce(0, +) / Double(count)
        if count > 1 && mean > 0 {
            let variance = sorted.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count - 1)
            cvPercent = variance.squareRoot() / mean * 100
        } else {
            cvPercent = 0
        }
    }
}
