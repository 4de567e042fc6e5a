import Foundation

/// A deliberate slowdown, for proving that the regression check catches one: with
/// `NNK_BENCH_INJECT_VARIANT=packed=tiled` the rows labelled `packed` run the `tiled` kernel.
/// Read only by the bench; the library never sees it.
enum BenchInjection {
    static let substitution: (label: String, actual: String)? = {
        guard let text = ProcessInfo.processInfo.environment["NNK_BENCH_INJECT_VARIANT"] else { return nil }
        let parts = text.split(separator: "=").map(String.init)
        guard parts.count == 2 else { return nil }
        return (parts[0], parts[1])
    }()

    static func variant(for label: String) -> String {
        if let substitution, substitution.label == label { return substitution.actual }
        return label
    }

    static var description: String? {
        substitution.map { "NNK_BENCH_INJECT_VARIANT: rows labelled \($0.label) run the \($0.actual) kernel (an injected slowdown)" }
    }
}
