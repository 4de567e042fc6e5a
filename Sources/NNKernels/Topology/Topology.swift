import CHwloc

/// The machine as hwloc describes it: packages, cores, caches. Block sizes and thread counts
/// are derived from this (see `Tuning`), never hard-coded.
public struct Topology: Sendable, Equatable {
    public var packages: Int
    public var cores: Int
    public var processingUnits: Int
    public var numaNodes: Int
    public var l1d: CacheLevel
    public var l2: CacheLevel
    public var l3: CacheLevel
    public var cpuModel: String
    /// Levels that hwloc did not report and that fell back to `Topology.defaultCaches`.
    public var fallbacks: [String]

    /// Defaults used when hwloc reports no cache information (some virtual machines hide it):
    /// 32 KiB L1d, 512 KiB L2 per core, 8 MiB L3 shared by all cores, 64-byte lines.
    public static let defaultCaches: (l1d: Int, l2: Int, l3: Int, line: Int) = (32 << 10, 512 << 10, 8 << 20, 64)

    /// The machine this process runs on, read once.
    public static let current: Topology = HwlocTopology.shared.reading().resolved()
}

/// What hwloc reported, before defaults fill the gaps. Separate so the fallback logic is testable.
public struct TopologyReading: Sendable, Equatable {
    public struct Cache: Sendable, Equatable {
        public var sizeBytes: Int
        public var lineBytes: Int
        public var sharedByCores: Int
        public var instances: Int
        public init(sizeBytes: Int, lineBytes: Int, sharedByCores: Int, instances: Int) {
            self.sizeBytes = sizeBytes
            self.lineBytes = lineBytes
            self.sharedByCores = sharedByCores
            self.instances = instances
        }
    }

    public var packages: Int
    public var cores: Int
    public var processingUnits: Int
    public var numaNodes: Int
    public var l1d: Cache?
    public var l2: Cache?
    public var l3: Cache?
    public var cpuModel: String?

    public init(packages: Int, cores: Int, processingUnits: Int, numaNodes: Int,
                l1d: Cache?, l2: Cache?, l3: Cache?, cpuModel: String?) {
        self.packages = packages
        self.cores = cores
        self.processingUnits = processingUnits
        self.numaNodes = numaNodes
        self.l1d = l1d
        self.l2 = l2
        self.l3 = l3
        self.cpuModel = cpuModel
    }

    /// Fills what hwloc left out with `Topology.defaultCaches` and records each fallback.
    public func resolved() -> Topology {
        var fallbacks: [String] = []
        let cores = max(1, cores)
        let defaults = Topology.defaultCaches
        func level(_ name: String, _ cache: Cache?, defaultSize: Int, defaultShared: Int) -> CacheLevel {
            if let cache, cache.sizeBytes > 0 {
                return CacheLevel(sizeBytes: cache.sizeBytes,
                                  lineBytes: cache.lineBytes > 0 ? cache.lineBytes : defaults.line,
                                  sharedByCores: max(1, cache.sharedByCores),
                                  instances: max(1, cache.instances), reportedByHardware: true)
            }
            fallbacks.append(name)
            return CacheLevel(sizeBytes: defaultSize, lineBytes: defaults.line, sharedByCores: defaultShared,
                              instances: max(1, cores / defaultShared), reportedByHardware: false)
        }
        let l1d = level("L1d", self.l1d, defaultSize: defaults.l1d, defaultShared: 1)
        let l2 = level("L2", self.l2, defaultSize: defaults.l2, defaultShared: 1)
        let l3 = level("L3", self.l3, defaultSize: defaults.l3, defaultShared: cores)
        return Topology(packages: max(1, packages), cores: cores, processingUnits: max(cores, processingUnits),
                        numaNodes: max(1, numaNodes), l1d: l1d, l2: l2, l3: l3,
                        cpuModel: cpuModel ?? "unknown", fallbacks: fallbacks)
    }
}
