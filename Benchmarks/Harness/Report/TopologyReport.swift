import NNKernels

/// `bench --topology`: the machine as hwloc sees it and the tuning derived from it.
enum TopologyReport {
    static func bytes(_ count: Int) -> String {
        if count >= 1 << 20 && count % (1 << 20) == 0 { return "\(count >> 20) MiB" }
        if count >= 1 << 10 && count % (1 << 10) == 0 { return "\(count >> 10) KiB" }
        return "\(count) B"
    }

    static func cacheLine(_ name: String, _ cache: CacheLevel) -> String {
        let source = cache.reportedByHardware ? "" : "  (default: hwloc reported no \(name))"
        return "\(name): \(bytes(cache.sizeBytes)) per instance x \(cache.instances) = \(bytes(cache.totalBytes)) total, "
            + "shared by \(cache.sharedByCores) core\(cache.sharedByCores == 1 ? "" : "s"), \(cache.lineBytes)-byte lines\(source)"
    }

    static func render(_ topology: Topology = .current) -> String {
        var lines: [String] = []
        lines.append("CPU: \(topology.cpuModel)")
        lines.append("Packages: \(topology.packages), physical cores: \(topology.cores), processing units: \(topology.processingUnits), NUMA nodes: \(topology.numaNodes)")
        lines.append(cacheLine("L1d", topology.l1d))
        lines.append(cacheLine("L2", topology.l2))
        lines.append(cacheLine("L3", topology.l3))
        if !topology.fallbacks.isEmpty {
            lines.append("Note: hwloc reported no cache information for \(topology.fallbacks.joined(separator: ", ")); documented defaults stand in.")
        }
        lines.append("CPU features: avx2+fma \(CPURequirement.avx2FMA.isMet ? "yes" : "no"), avx512f \(CPURequirement.avx512F.isMet ? "yes" : "no")")
        lines.append("")
        lines.append("Tuning derived from it:")
        lines.append("  threads: \(Tuning.defaultThreads) (one per physical core); \(ThreadPinning.status)")
        lines.append("  one thread below \(Int(Tuning.minimumFlopsPerExtraWorker)) FLOPs per extra worker")
        lines.append("  GEMM microkernel in use: \(GemmMicrokernels.preferred.name)")
        for kernel in GemmMicrokernels.all {
            let blocking = kernel.blocking(for: topology)
            lines.append("  \(kernel.name): MR=\(kernel.mr) NR=\(kernel.nr) \(blocking) (\(kernel.isSupported ? "supported" : "needs \(kernel.requirement.rawValue)"))")
        }
        return lines.joined(separator: "\n")
    }
}
