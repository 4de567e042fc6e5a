/// One benchmark: a (suite, kernel, variant, shape, threads) with the work it does per call.
/// Operands are allocated by `prepare` just before timing and freed right after, so a suite
/// never holds more than one problem's buffers.
public struct BenchCase {
    public var suite: String
    public var kernel: String
    public var variant: String
    public var shape: String
    public var threads: Int
    /// Floating-point operations per call (0 where not meaningful).
    public var flops: Double
    /// Bytes moved per call, for rows whose measure is memory traffic (0 otherwise).
    public var bytes: Double
    public var prepare: () throws -> PreparedCase

    public init(suite: String, kernel: String, variant: String, shape: String, threads: Int,
                flops: Double, bytes: Double = 0, prepare: @escaping () throws -> PreparedCase) {
        self.suite = suite
        self.kernel = kernel
        self.variant = variant
        self.shape = shape
        self.threads = threads
        self.flops = flops
        self.bytes = bytes
        self.prepare = prepare
    }

    /// The Google Benchmark name; `--benchmark_filter` matches against it.
    public var name: String { "\(suite)/\(kernel)/\(variant)/\(shape)/threads:\(threads)" }
}

/// A benchmark with its operands in place.
public final class PreparedCase {
    /// One timed call.
    let body: () -> Void
    /// Compares the output of one call with a reference (run only under `--check`).
    let check: () -> CheckOutcome
    /// Frees the operands.
    let release: () -> Void

    public init(body: @escaping () -> Void, check: @escaping () -> CheckOutcome, release: @escaping () -> Void) {
        self.body = body
        self.check = check
        self.release = release
    }
}

/// The result of comparing a kernel's output with the `Double` reference.
public struct CheckOutcome: Equatable, Sendable {
    public var passed: Bool
    /// The largest error, relative to the magnitude of what was summed (dimensionless, so it
    /// compares with K * Float.ulpOfOne).
    public var maxError: Double
    public init(passed: Bool, maxError: Double) {
        self.passed = passed
        self.maxError = maxError
    }
}
