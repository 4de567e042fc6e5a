import Foundation
import NNKernels

/// The context beside every CSV: machine, measured peaks, pinning, block sizes, build, commit.
struct RunMetadata {
    var startedAt: Date
    var arguments: [String]
    var peakGflops: [Int: Double]
    var bandwidthGBps: [Int: Double]
    /// The triad over arrays resident in the L3, which the regression check uses.
    var cacheBandwidthGBps: [Int: Double] = [:]
    /// The source the run measured, read when it starts: an edit made while it runs must not
    /// mark a clean build's figures as dirty, nor a dirty build's as clean.
    var source: SourceState

    struct SourceState {
        var commit: String
        var dirty: Bool

        static func current() -> SourceState {
            SourceState(commit: RunMetadata.commandOutput("git", ["rev-parse", "HEAD"]) ?? "unknown",
                        dirty: !(RunMetadata.commandOutput("git", ["status", "--porcelain", "--untracked-files=no"]) ?? "").isEmpty)
        }
    }

    static var buildConfiguration: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }

    static func commandOutput(_ executable: String, _ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = Pipe()
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func json() throws -> Data {
        let topology = Topology.current
        func cache(_ level: CacheLevel) -> [String: Any] {
            ["size_bytes": level.sizeBytes, "line_bytes": level.lineBytes, "shared_by_cores": level.sharedByCores,
             "instances": level.instances, "reported_by_hwloc": level.reportedByHardware]
        }
        let formatter = ISO8601DateFormatter()
        let kernels: [[String: Any]] = GemmMicrokernels.all.map { kernel in
            let blocking = kernel.blocking(for: topology)
            return ["name": kernel.name, "mr": kernel.mr, "nr": kernel.nr, "requires": kernel.requirement.rawValue,
                    "supported": kernel.isSupported, "mc": blocking.mc, "kc": blocking.kc, "nc": blocking.nc]
        }
        let object: [String: Any] = [
            "started_utc": formatter.string(from: startedAt),
            "arguments": arguments,
            "host": ProcessInfo.processInfo.hostName,
            "machine": [
                "cpu_model": topology.cpuModel, "packages": topology.packages, "cores": topology.cores,
                "processing_units": topology.processingUnits, "numa_nodes": topology.numaNodes,
                "l1d": cache(topology.l1d), "l2": cache(topology.l2), "l3": cache(topology.l3),
                "cache_fallbacks": topology.fallbacks,
                "avx2_fma": CPURequirement.avx2FMA.isMet, "avx512f": CPURequirement.avx512F.isMet,
            ] as [String: Any],
            "measured_peak_gflops": Dictionary(uniqueKeysWithValues: peakGflops.map { ("threads_\($0.key)", $0.value) }),
            "measured_triad_gbps": Dictionary(uniqueKeysWithValues: bandwidthGBps.map { ("threads_\($0.key)", $0.value) }),
            "measured_cache_triad_gbps": Dictionary(uniqueKeysWithValues: cacheBandwidthGBps.map { ("threads_\($0.key)", $0.value) }),
            "pinning": ThreadPinning.status,
            "gemm": [
                "microkernel": GemmMicrokernels.preferred.name,
                "microkernels": kernels,
                "min_flops_per_extra_worker": Tuning.minimumFlopsPerExtraWorker,
            ] as [String: Any],
            "build": [
                "configuration": Self.buildConfiguration,
                "target_cpu": ProcessInfo.processInfo.environment["NNK_TARGET_CPU"] ?? "native (default)",
                "compiler": Self.commandOutput("swift", ["--version"])?.split(separator: "\n").first.map(String.init) ?? "unknown",
            ],
            "git_commit": source.commit,
            "git_dirty": source.dirty,
            "openblas": [
                "config": LibraryGemm.openblas.buildDescription,
            ],
            "onednn": LibraryGemm.onednn.buildDescription,
            "blis": LibraryGemm.blis.buildDescription,
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }
}
