/// A family of benchmarks the bench can run.
protocol BenchSuite: SendableMetatype {
    static var name: String { get }
    /// The variants it can time, in ladder order.
    static var variants: [String] { get }
    /// Workload lines for `--list`.
    static func workloadDescriptions(quick: Bool) throws -> [String]
    static func cases(_ request: SuiteRequest) throws -> [BenchCase]
}

/// What a suite is asked to produce.
struct SuiteRequest {
    var quick: Bool
    var variants: [String]
    var threads: [Int]
    var gemmShapes: [GemmShape]
    /// True when ad hoc GEMM shapes replace the GEMM workload file.
    var adHocOnly: Bool
    /// Ad hoc dense layers; when given, they replace the dense workload files.
    var denseShapes: [DenseShape] = []
    /// Ad hoc convolutions; when given, they replace the convolution workload file.
    var convDescriptors: [ConvDescriptor] = []
}

/// A suite as the catalog lists it (values rather than metatypes, so one list serves all).
struct SuiteEntry: Sendable {
    let name: String
    let variants: [String]
    let workloadDescriptions: @Sendable (Bool) throws -> [String]
    let cases: @Sendable (SuiteRequest) throws -> [BenchCase]

    init<Suite: BenchSuite>(_: Suite.Type) {
        name = Suite.name
        variants = Suite.variants
        workloadDescriptions = { try Suite.workloadDescriptions(quick: $0) }
        cases = { try Suite.cases($0) }
    }
}

enum SuiteCatalog {
    static let available: [SuiteEntry] = [SuiteEntry(PeakSuite.self), SuiteEntry(GemmSuite.self),
                                          SuiteEntry(DenseSuite.self),
                                          SuiteEntry(ActivationSuite.self), SuiteEntry(ConvSuite.self),
                                          SuiteEntry(PoolSuite.self)]

    static func suite(named name: String) -> SuiteEntry? {
        available.first { $0.name == name }
    }

    static var allVariants: [String] {
        var names: [String] = []
        for suite in available { for variant in suite.variants where !names.contains(variant) { names.append(variant) } }
        return names
    }
}
