import Foundation

/// The run as a fixed-width table on standard output.
enum SummaryTable {
    /// The same table in Markdown, for a pull request.
    static func renderMarkdown(_ rows: [ReportRow]) -> String {
        let lines = render(rows, separator: " | ").split(separator: "\n").map { "| " + $0 + " |" }
        guard let header = lines.first else { return "" }
        let rule = "|" + String(repeating: " --- |", count: header.components(separatedBy: " | ").count)
        return ([header, rule] + lines.dropFirst()).joined(separator: "\n")
    }

    static func render(_ rows: [ReportRow], separator: String = "  ") -> String {
        let header = ["suite", "kernel", "variant", "shape", "thr", "median ms", "cv %", "GFLOPS", "% peak", "GB/s", "% bw", "vs openblas", "vs onednn", "check"]
        func format(_ value: Double?, _ digits: Int) -> String {
            guard let value, value.isFinite else { return "-" }
            return String(format: "%.\(digits)f", value)
        }
        let body = rows.map { row in
            [row.suite, row.kernel, row.variant, row.shape, String(row.threads), format(row.medianMs, 3),
             format(row.cvPercent, 1), format(row.gflops, 1), format(row.percentOfPeak, 1), format(row.gbps, 1),
             format(row.percentOfBandwidth, 1), row.vsOpenBLAS.map { String(format: "%.2fx", $0) } ?? "-",
             row.vsOneDNN.map { String(format: "%.2fx", $0) } ?? "-", row.check]
        }
        let table = [header] + body
        let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        return table.map { cells in
            cells.enumerated().map { column, cell in
                column < 5 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                           : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: separator)
        }.joined(separator: "\n")
    }
}
