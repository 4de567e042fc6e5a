/// Everything the bench was asked to do.
public struct BenchOptions: Equatable {
    public static let suiteNames = ["peak", "gemm", "dense", "activation", "conv", "pool"]

    public var suites: [String] = []
    public var variants: [String] = []
    public var threads: [Int]? = nil
    public var quick = false
    public var list = false
    public var topology = false
    public var check = false
    public var allowDebug = false
    public var help = false
    public var gemmShapes: [GemmShape] = []
    public var denseShapes: [DenseShape] = []
    public var convDescriptors: [ConvDescriptor] = []
    public var outPath: String? = nil
    /// `--compare BASELINE.csv` (run and compare) or `--compare OLD.csv NEW.csv` (compare files).
    public var compare: [String] = []
    public var thresholdPercent: Double = 10
    public var rounds: Int? = nil
    /// `--regressions-out PATH`: with `--compare`, the keys of the rows whose regression the
    /// second measurement confirmed, one a line (empty when none), for a later A/B of builds.
    public var regressionsOutPath: String? = nil
    public var markdown = false
    /// `--benchmark_*` flags, passed to Google Benchmark unchanged.
    public var benchmarkFlags: [String] = []

    public init() {}

    /// Parses the arguments after the program name. Accepts `--flag value` and `--flag=value`.
    public init(parsing arguments: [String]) throws {
        var index = 0
        func value(for flag: String, inline: String?) throws -> String {
            if let inline { return inline }
            index += 1
            guard index < arguments.count else { throw UsageError("\(flag) needs a value") }
            return arguments[index]
        }
        while index < arguments.count {
            let argument = arguments[index]
            if argument.hasPrefix("--benchmark_") {
                benchmarkFlags.append(argument)
                index += 1
                continue
            }
            let (flag, inline): (String, String?) = {
                guard argument.hasPrefix("--"), let eq = argument.firstIndex(of: "=") else { return (argument, nil) }
                return (String(argument[..<eq]), String(argument[argument.index(after: eq)...]))
            }()
            let takesNoValue = ["--quick", "--list", "--topology", "--check", "--allow-debug", "--help", "-h", "--markdown"]
            if takesNoValue.contains(flag) && inline != nil {
                throw UsageError("\(flag) takes no value")
            }
            switch flag {
            case "--quick": quick = true
            case "--list": list = true
            case "--topology": topology = true
            case "--check": check = true
            case "--allow-debug": allowDebug = true
            case "--help", "-h": help = true
            case "--suite":
                let name = try value(for: flag, inline: inline)
                guard Self.suiteNames.contains(name) else {
                    throw UsageError("unknown suite '\(name)': expected one of \(Self.suiteNames.joined(separator: ", "))")
                }
                if !suites.contains(name) { suites.append(name) }
            case "--variant":
                let name = try value(for: flag, inline: inline)
                guard !name.isEmpty else { throw UsageError("--variant needs a name") }
                if !variants.contains(name) { variants.append(name) }
            case "--threads":
                let text = try value(for: flag, inline: inline)
                var counts: [Int] = []
                for part in text.split(separator: ",", omittingEmptySubsequences: false) {
                    guard let count = Int(part), count >= 1, count <= 1024 else {
                        throw UsageError("--threads: expected a comma-separated list of counts from 1 to 1024, got '\(text)'")
                    }
                    if !counts.contains(count) { counts.append(count) }
                }
                threads = counts
            case "--gemm": gemmShapes.append(try GemmShape(parsing: value(for: flag, inline: inline)))
            case "--dense": denseShapes.append(try DenseShape(parsing: value(for: flag, inline: inline)))
            case "--conv": convDescriptors.append(try ConvDescriptor(parsing: value(for: flag, inline: inline)))
            case "--markdown": markdown = true
            case "--compare":
                let baseline = try value(for: flag, inline: inline)
                guard baseline.hasSuffix(".csv") else { throw UsageError("--compare: expected a CSV report, got '\(baseline)'") }
                compare = [baseline]
                if index + 1 < arguments.count, arguments[index + 1].hasSuffix(".csv"), !arguments[index + 1].hasPrefix("-") {
                    index += 1
                    compare.append(arguments[index])
                }
            case "--threshold":
                let text = try value(for: flag, inline: inline)
                guard let percent = Double(text), percent > 0, percent < 1000 else {
                    throw UsageError("--threshold: expected a percentage above 0, got '\(text)'")
                }
                thresholdPercent = percent
            case "--rounds":
                let text = try value(for: flag, inline: inline)
                guard let count = Int(text), count >= 1, count <= 1000 else {
                    throw UsageError("--rounds: expected a count from 1 to 1000, got '\(text)'")
                }
                rounds = count
            case "--out":
                let path = try value(for: flag, inline: inline)
                guard !path.isEmpty else { throw UsageError("--out needs a file path") }
                outPath = path
            case "--regressions-out":
                let path = try value(for: flag, inline: inline)
                guard !path.isEmpty else { throw UsageError("--regressions-out needs a file path") }
                regressionsOutPath = path
            default:
                throw UsageError("unknown argument '\(argument)' (see bench --help)")
            }
            index += 1
        }
    }

    public static let usage = """
    usage: bench [options] [--benchmark_<flag>=<value> ...]

      (no option)          run the default suites (peak, gemm) and write a CSV report
      --quick              a subset that finishes in about two minutes
      --suite NAME         peak, gemm, dense, activation, conv or pool (repeatable)
      --variant NAME       only these variants, e.g. naive, simd, tiled, packed, openblas, onednn, blis (repeatable)
      --threads LIST       thread counts, e.g. 1,2 (default: 1 and all physical cores)
      --gemm MxNxK         an ad hoc GEMM, C[MxN] = A[MxK] * B[KxN], row-major (repeatable)
      --dense MxNxK:ACT    an ad hoc dense layer act(X * W + b) (repeatable)
      --conv DESC          an ad hoc convolution, benchdnn syntax, e.g. mb1ic64ih56oc64oh56kh3ph1 (repeatable)
      --check              compare each problem's output with a Double reference before timing
      --out PATH           CSV report path (default results/<host>-<UTC time>.csv)
      --compare BASE.csv   run the baseline's rows and compare; exit 1 if a row regressed
      --compare OLD.csv NEW.csv   compare two reports without running anything
      --regressions-out PATH   with --compare: write the keys of the confirmed regressions there
      --threshold PCT      smallest slowdown called a regression (default 10)
      --rounds N           go round the cases N times, one repetition each (default 1; 9 with --compare)
      --markdown           print the summary (and the comparison) as Markdown tables
      --list               list suites, workloads and variants
      --topology           print the machine's topology and the tuning derived from it
      --allow-debug        report figures from a debug build anyway
      --benchmark_*        passed to Google Benchmark (filter, repetitions, min_time, ...)
    """
}
