/// One level of data cache as the kernels see it.
public struct CacheLevel: Sendable, Equatable {
    /// Bytes in one instance of the cache (one core's L1d, one core's or cluster's L2, one L3 slice group).
    public var sizeBytes: Int
    public var lineBytes: Int
    /// Physical cores that share one instance.
    public var sharedByCores: Int
    /// How many instances the machine has.
    public var instances: Int
    /// False when hwloc reported nothing for this level and a documented default stands in.
    public var reportedByHardware: Bool

    public init(sizeBytes: Int, lineBytes: Int, sharedByCores: Int, instances: Int, reportedByHardware: Bool) {
        self.sizeBytes = sizeBytes
        self.lineBytes = lineBytes
        self.sharedByCores = sharedByCores
        self.instances = instances
        self.reportedByHardware = reportedByHardware
    }

    public var totalBytes: Int { sizeBytes * instances }
}
