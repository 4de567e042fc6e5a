import Foundation

/// Compares a run with a baseline, row by row, and decides which rows regressed.
///
/// A row regressed only when all of these hold, so that noise and a machine that is slower all
/// over are not called regressions:
/// - its fastest repetition got slower by more than the threshold. On a shared machine noise
///   only ever adds time, so the fastest repetition is the steadiest estimate (measured here:
///   between two runs of one binary, medians moved by up to 74% and minima by a median of 3%);
/// - its median time grew by more than the threshold too;
/// - the Mann-Whitney U test says its times are larger with p below `significance`
///   (when both reports carry per-repetition samples);
/// - its share of the FMA peak measured in the same run (of the triad bandwidth, for rows whose
///   measure is memory traffic: the cache triad for rows whose traffic fits in it, see
///   `Yardsticks`), computed from the fastest repetitions, fell by more than the threshold: a
///   machine that is slower all over slows the probes as much as the kernels.
///
/// `bench --compare` then measures the rows that regressed a second time, independently, and
/// fails only when they regress again. That second comparison (`confirming`) asks more before it
/// calls a row slower: the fastest repetition of the new measurement is held against the
/// baseline's median, not its fastest. A baseline's fastest repetition can be a quiet moment the
/// next machine never has (measured in CI: a two-thread dense row whose baseline ran 0.889 ms at
/// best and 1.058 ms at the median ran 1.079 ms at best with the same code, 21% "slower"), so a
/// row is condemned only when even its best is worse than what the baseline typically did. For
/// a steady row the two are close and the threshold keeps its meaning; for a row whose baseline
/// spread widely, a slowdown must exceed that spread to be told from noise.
struct RegressionCheck {
    struct RowComparison {
        var key: String
        var old: ReportRow
        var new: ReportRow
        /// new median time / old median time.
        var timeRatio: Double
        /// new fastest repetition / old fastest repetition (/ old median, when `confirming`).
        var bestTimeRatio: Double
        /// new share of peak / old share of peak, where both runs report one.
        var shareRatio: Double?
        var pValue: Double?
        var regressed: Bool
    }

    var thresholdPercent: Double = 10
    var significance: Double = 0.01
    /// The second comparison of the rows that regressed: the new fastest against the old median.
    var confirming = false

    static func key(_ row: ReportRow) -> String {
        "\(row.suite)/\(row.kernel)/\(row.variant)/\(row.shape)/threads:\(row.threads)"
    }

    /// The rows present in both reports, in the baseline's order. The peak rows are yardsticks,
    /// not kernels, and are left out.
    func compare(old: [ReportRow], new: [ReportRow]) -> [RowComparison] {
        let newByKey = Dictionary(new.map { (Self.key($0), $0) }, uniquingKeysWith: { first, _ in first })
        let oldProbes = Yardsticks(old), newProbes = Yardsticks(new)
        let limit = 1 + thresholdPercent / 100
        return old.compactMap { oldRow in
            guard oldRow.suite != PeakSuite.name, let newRow = newByKey[Self.key(oldRow)],
                  oldRow.medianMs > 0, newRow.medianMs > 0 else { return nil }
            let timeRatio = newRow.medianMs / oldRow.medianMs
            let oldReference = confirming ? oldRow.medianMs : oldRow.minMs
            let bestTimeRatio = oldReference > 0 && newRow.minMs > 0 ? newRow.minMs / oldReference : timeRatio
            // How much faster the old machine was at what the row needs, from the probes both
            // reports measured; for reports without probe rows, recovered from each row's rate
            // and share of its run's yardstick. Rows whose measure is memory traffic are held
            // against a bandwidth (a neighbour contending for memory slows them, not the FMA probe).
            func yardstick(_ row: ReportRow) -> Double? {
                if let rate = row.gbps, let share = row.percentOfBandwidth, share > 0 { return rate / share }
                if let rate = row.gflops, let share = row.percentOfPeak, share > 0 { return rate / share }
                return nil
            }
            var machineSpeedRatio = Yardsticks.machineSpeedRatio(for: oldRow, old: oldProbes, new: newProbes)
            if machineSpeedRatio == nil, let oldYardstick = yardstick(oldRow), let newYardstick = yardstick(newRow) {
                machineSpeedRatio = oldYardstick / newYardstick
            }
            let shareRatio = machineSpeedRatio.map { $0 / bestTimeRatio }
            let pValue = oldRow.samplesMs.count >= 2 && newRow.samplesMs.count >= 2
                ? MannWhitney.pValue(larger: newRow.samplesMs, smaller: oldRow.samplesMs) : nil
            let slower = bestTimeRatio > limit && timeRatio > limit
            let significant = pValue.map { $0 < significance } ?? true
            let shareFell = shareRatio.map { $0 < 1 / limit } ?? true
            return RowComparison(key: Self.key(oldRow), old: oldRow, new: newRow, timeRatio: timeRatio, bestTimeRatio: bestTimeRatio,
                                 shareRatio: shareRatio, pValue: pValue, regressed: slower && significant && shareFell)
        }
    }

    /// The geometric mean of the time ratios: above 1, the suite got slower overall.
    static func geometricMean(_ comparisons: [RowComparison]) -> Double? {
        guard !comparisons.isEmpty else { return nil }
        return exp(comparisons.reduce(0) { $0 + log($1.timeRatio) } / Double(comparisons.count))
    }

    static func percentChange(_ ratio: Double) -> String {
        String(format: "%+.1f%%", (ratio - 1) * 100)
    }

    func renderText(_ comparisons: [RowComparison]) -> String {
        var lines: [String] = []
        let regressed = comparisons.filter(\.regressed)
        lines.append("compared \(comparisons.count) rows with the baseline (threshold \(String(format: "%g", thresholdPercent))%, significance \(significance))")
        if let mean = Self.geometricMean(comparisons) {
            lines.append("geometric mean of time ratios: \(String(format: "%.3f", mean)) (\(Self.percentChange(mean)))")
        }
        if regressed.isEmpty {
            lines.append("no row regressed")
        } else {
            lines.append("\(regressed.count) row\(regressed.count == 1 ? "" : "s") regressed:")
            for row in regressed {
                lines.append("  \(row.key): \(String(format: "%.4f", row.old.medianMs)) ms -> \(String(format: "%.4f", row.new.medianMs)) ms "
                             + "(\(Self.percentChange(row.timeRatio)) median, \(Self.percentChange(row.bestTimeRatio)) fastest\(confirming ? " vs old median" : ""), "
                             + "\(row.shareRatio.map { Self.percentChange($0) } ?? "n/a") share of peak, "
                             + "p = \(row.pValue.map { String(format: "%.4f", $0) } ?? "n/a"))")
            }
        }
        return lines.joined(separator: "\n")
    }

    func renderMarkdown(_ comparisons: [RowComparison]) -> String {
        var lines = ["| row | old ms | new ms | median | fastest | share of peak | p | verdict |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for row in comparisons {
            lines.append("| \(row.key) | \(String(format: "%.4f", row.old.medianMs)) | \(String(format: "%.4f", row.new.medianMs)) | "
                         + "\(Self.percentChange(row.timeRatio)) | \(Self.percentChange(row.bestTimeRatio)) | \(row.shareRatio.map { Self.percentChange($0) } ?? "-") | "
                         + "\(row.pValue.map { String(format: "%.3f", $0) } ?? "-") | \(row.regressed ? "**regressed**" : "ok") |")
        }
        if let mean = Self.geometricMean(comparisons) {
            lines.append("")
            lines.append("Geometric mean of time ratios: \(String(format: "%.3f", mean)) (\(Self.percentChange(mean))); "
                         + "\(comparisons.filter(\.regressed).count) of \(comparisons.count) rows regressed "
                         + "(threshold \(String(format: "%g", thresholdPercent))%, significance \(significance)).")
        }
        return lines.joined(separator: "\n")
    }
}
