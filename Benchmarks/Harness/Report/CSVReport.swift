import Foundation

/// The CSV report: a fixed set of columns, one row per benchmark, empty cells where a measure
/// does not apply. (Google Benchmark's own CSV reporter is deprecated and fixes its header on the
/// first run, so the report is written here.)
public enum CSVReport {
    public static let columns = [
        "suite", "kernel", "variant", "shape", "threads", "repetitions", "iterations",
        "median_ms", "min_ms", "max_ms", "cv_pct", "gflops", "pct_peak", "gbps", "pct_bw",
        "vs_openblas", "vs_onednn", "check", "check_error", "samples_ms",
    ]

    public static func render(_ rows: [ReportRow]) -> String {
        var text = columns.joined(separator: ",") + "\n"
        for row in rows {
            let cells: [String] = [
                field(row.suite), field(row.kernel), field(row.variant), field(row.shape), String(row.threads),
                String(row.repetitions), String(row.iterations),
                number(row.medianMs, 6), number(row.minMs, 6), number(row.maxMs, 6), number(row.cvPercent, 2),
                number(row.gflops, 3), number(row.percentOfPeak, 2), number(row.gbps, 3),
                number(row.percentOfBandwidth, 2), number(row.vsOpenBLAS, 3), number(row.vsOneDNN, 3),
                field(row.check),
                row.checkError.map { String(format: "%.3e", $0) } ?? "",
                row.samplesMs.map { String(format: "%.6f", $0) }.joined(separator: ";"),
            ]
            text += cells.joined(separator: ",") + "\n"
        }
        return text
    }

    public static func write(_ rows: [ReportRow], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try render(rows).write(to: url, atomically: true, encoding: .utf8)
    }

    /// Reads a report back (for comparisons and tests). Unknown columns are ignored.
    public static func parse(_ text: String) throws -> [ReportRow] {
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard !lines.isEmpty else { return [] }
        let header = splitLine(lines.removeFirst())
        func column(_ name: String) throws -> Int {
            guard let index = header.firstIndex(of: name) else { throw UsageError("CSV report lacks column \(name)") }
            return index
        }
        // samples_ms and vs_onednn came later than the other columns: reports without them still parse.
        let later: Set = ["samples_ms", "vs_onednn"]
        var index = Dictionary(uniqueKeysWithValues: try columns.filter { !later.contains($0) }.map { ($0, try column($0)) })
        for name in later { index[name] = header.firstIndex(of: name) }
        return try lines.enumerated().map { number, line in
            let cells = splitLine(line)
            guard cells.count >= header.count else {
                throw UsageError("CSV report line \(number + 2) has \(cells.count) cells, expected \(header.count)")
            }
            func text(_ name: String) -> String { index[name].flatMap { $0 }.map { cells[$0] } ?? "" }
            func double(_ name: String) -> Double? { Double(text(name)) }
            return ReportRow(suite: text("suite"), kernel: text("kernel"), variant: text("variant"), shape: text("shape"),
                             threads: Int(text("threads")) ?? 0, repetitions: Int(text("repetitions")) ?? 0,
                             iterations: Int64(text("iterations")) ?? 0, medianMs: double("median_ms") ?? 0,
                             minMs: double("min_ms") ?? 0, maxMs: double("max_ms") ?? 0, cvPercent: double("cv_pct") ?? 0,
                             gflops: double("gflops"), percentOfPeak: double("pct_peak"), gbps: double("gbps"),
                             percentOfBandwidth: double("pct_bw"), vsOpenBLAS: double("vs_openblas"),
                             vsOneDNN: double("vs_onednn"),
                             check: text("check"), checkError: double("check_error"),
                             samplesMs: text("samples_ms").split(separator: ";").compactMap { Double($0) })
        }
    }

    /// Quotes a field when it holds a comma, a quote or a line break (RFC 4180).
    static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func number(_ value: Double?, _ digits: Int) -> String {
        guard let value, value.isFinite else { return "" }
        return String(format: "%.\(digits)f", value)
    }

    static func splitLine(_ line: String) -> [String] {
        var cells: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        while let char = iterator.next() {
            if quoted {
                if char == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { current.append("\"") } else {
                            quoted = false
                            if next == "," { cells.append(current); current = "" } else { current.append(next) }
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(char)
                }
            } else if char == "\"" {
                quoted = true
            } else if char == "," {
                cells.append(current)
                current = ""
            } else {
                current.append(char)
            }
        }
        cells.append(current)
        return cells
    }
}
