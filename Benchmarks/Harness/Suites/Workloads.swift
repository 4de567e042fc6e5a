import Foundation

/// Workload files under `Benchmarks/Harness/Workloads`: one problem a line, `#` starts a comment.
enum Workloads {
    static func lines(_ file: String) throws -> [String] {
        guard let url = Bundle.module.url(forResource: file, withExtension: "txt", subdirectory: "Workloads") else {
            throw UsageError("workload file \(file).txt is missing from the bench's resources")
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let trimmed = content.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? nil : trimmed
        }
    }

    static func gemmShapes(_ file: String) throws -> [GemmShape] {
        try lines(file).map { try GemmShape(parsing: $0) }
    }
}
