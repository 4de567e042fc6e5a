/// One row of the CSV report: one (suite, kernel, variant, shape, threads).
public struct ReportRow: Equatable, Sendable {
    public var suite: String
    public var kernel: String
    public var variant: String
    public var shape: String
    public var threads: Int
    public var repetitions: Int
    public var iterations: Int64
    public var medianMs: Double
    public var minMs: Double
    public var maxMs: Double
    public var cvPercent: Double
    public var gflops: Double?
    public var percentOfPeak: Double?
    public var gbps: Double?
    public var percentOfBandwidth: Double?
    public var vsOpenBLAS: Double?
    /// GFLOPS over oneDNN's at the same problem and threads, where the run timed oneDNN.
    public var vsOneDNN: Double?
    /// "pass", "fail" or "not run".
    public var check: String
    public var checkError: Double?
    /// Milliseconds per call of every repetition, for the statistical comparison with a baseline.
    public var samplesMs: [Double]

    public init(suite: String, kernel: String, variant: String, shape: String, threads: Int,
                repetitions: Int, iterations: Int64, medianMs: Double, minMs: Double, maxMs: Double,
                cvPercent: Double, gflops: Double? = nil, percentOfPeak: Double? = nil, gbps: Double? = nil,
                percentOfBandwidth: Double? = nil, vsOpenBLAS: Double? = nil, vsOneDNN: Double? = nil, check: String = "not run",
                checkError: Double? = nil, samplesMs: [Double] = []) {
        self.suite = suite
        self.kernel = kernel
        self.variant = variant
        self.shape = shape
        self.threads = threads
        self.repetitions = repetitions
        self.iterations = iterations
        self.medianMs = medianMs
        self.minMs = minMs
        self.maxMs = maxMs
        self.cvPercent = cvPercent
        self.gflops = gflops
        self.percentOfPeak = percentOfPeak
        self.gbps = gbps
        self.percentOfBandwidth = percentOfBandwidth
        self.vsOpenBLAS = vsOpenBLAS
        self.vsOneDNN = vsOneDNN
        self.check = check
        self.checkError = checkError
        self.samplesMs = samplesMs
    }
}
