/// Block sizes for a packed GEMM, derived from the cache sizes (BLIS's MC, KC, NC).
public struct GemmBlocking: Sendable, Equatable, CustomStringConvertible {
    public var mc: Int
    public var kc: Int
    public var nc: Int

    public init(mc: Int, kc: Int, nc: Int) {
        self.mc = mc
        self.kc = kc
        self.nc = nc
    }

    public var description: String { "MC=\(mc) KC=\(kc) NC=\(nc)" }

    /// The Goto/BLIS rules, from the caches of `topology`, for a microkernel whose micro-panels
    /// live where `residency` says:
    /// - `.l1`: one MR x KC micro-panel of A and one KC x NR micro-panel of B fill at most 3/4
    ///   of L1d, so both stay in L1 while the microkernel streams through them (KC a multiple
    ///   of 8); the MC x KC block of A fills at most half of one core's L2 (MC a multiple of MR);
    /// - `.l2`: both micro-panels stream from L2, so KC is not bound by L1: the MC x KC block of
    ///   A and the KC x NR micro-panel of B being streamed fill half of L2, square (MC about KC),
    ///   which shares what is left between the tile's fixed cost (C in and out, once a KC slice)
    ///   and B's traffic from L3 (once an MC block);
    /// - NC: the KC x NC panel of B fills at most half of L3 (multiple of NR); it is shared by the cores.
    public static func derived(mr: Int, nr: Int, topology: Topology, residency: PanelResidency = .l1) -> GemmBlocking {
        let floatBytes = MemoryLayout<Float>.size
        let kc: Int
        switch residency {
        case .l1:
            let kcRaw = (topology.l1d.sizeBytes * 3 / 4) / ((mr + nr) * floatBytes)
            kc = max(16, kcRaw / 8 * 8)
        case .l2:
            // KC^2 + NR * KC = half of L2, in floats.
            let floats = Double(topology.l2.sizeBytes / 2 / floatBytes)
            let kcRaw = Int((-Double(nr) + (Double(nr * nr) + 4 * floats).squareRoot()) / 2)
            kc = max(16, kcRaw / 8 * 8)
        }
        let mcBytes = topology.l2.sizeBytes / 2 - (residency == .l2 ? kc * nr * floatBytes : 0)
        let mcRaw = mcBytes / (kc * floatBytes)
        let mc = max(mr, mcRaw / mr * mr)
        let ncRaw = (topology.l3.sizeBytes / 2) / (kc * floatBytes)
        let nc = max(nr, ncRaw / nr * nr)
        return GemmBlocking(mc: mc, kc: kc, nc: nc)
    }
}

/// Input channels a pass of direct convolution covers (its KC): the weights of one pass over
/// every tap for one block of NR output channels fill at most half of the cache `residency`
/// names, split evenly (`taps` x chunk x NR floats), so that they stay there while a row of
/// output tiles reuses them. With the 8 x 32 AVX-512 tile (`.l2`), ResNet-50's 3x3 layers in
/// NHWC on one thread ran in 0.88 to 0.95x the time of the L1 rule, at 85 to 98% of the FMA
/// peak: one pass instead of five for 64 channels, so no partial sums in and out between
/// passes and each pixel's channels read in one sweep (`results/direct-l2-chunks-20261205/`).
public enum DirectConvolutionBlocking {
    public static func channelChunk(channels: Int, taps: Int, nr: Int, residency: PanelResidency, topology: Topology) -> Int {
        let budget: Int
        switch residency {
        case .l1: budget = topology.l1d.sizeBytes / 2
        case .l2: budget = topology.l2.sizeBytes / 2
        }
        let largest = max(1, budget / (taps * nr * MemoryLayout<Float>.stride))
        let passes = max(1, (channels + largest - 1) / largest)
        return max(1, (channels + passes - 1) / passes)
    }
}

/// Where a microkernel's micro-panels are read from while its tiles run, which sets KC and MC
/// (`GemmBlocking.derived`).
public enum PanelResidency: String, Sendable {
    /// The KC x NR micro-panel of B stays in L1 for every tile of a block of A. For tiles that
    /// need many bytes a FMA: the 6 x 16 AVX2 tile reads 88 bytes a k step for 12 FMAs of
    /// 8 lanes, and a KC past L1 (384 or 512 against 272) took 0.99 to 1.09x the time over five
    /// GEMM shapes (alternating runs on the AVX-512 host).
    case l1
    /// Both micro-panels stream from L2. For tiles that need few bytes a FMA: the 12 x 32
    /// AVX-512 tile reads 176 bytes a k step for 24 FMAs of 16 lanes, half the 6 x 16 tile's
    /// rate. At the L1 rule's KC of 136 it ran alone at 91% of the FMA peak, at 95 to 97% from
    /// 256 to 480 (the tile's fixed cost: C in and out, 24 vectors each way); GEMMs of 512 to
    /// 2048 cubed took 0.88 to 0.92x the time at KC 384 (alternating runs).
    case l2
}

/// Thread counts and thresholds derived from the topology.
public enum Tuning {
    /// One worker per physical core: the kernels keep both FMA pipes of a core busy, so a
    /// second hardware thread on the same core adds contention, not throughput.
    public static var defaultThreads: Int { Topology.current.cores }

    /// A problem gets one worker per this many FLOPs (a GEMM, a convolution), up to the number
    /// asked for: about 3.5 microseconds of one core's work at its peak for each. The workers of
    /// `ParallelRegion`'s pool spin for a while after each job, so between kernel calls a second
    /// worker starts within a microsecond (once the caller is not re-bound to its core at every
    /// region), and a share this small still pays: at 1.5 MFLOPs, the former threshold, 128
    /// cubed, 1 x 256 x 784 and ResNet-50's 1x1 layer at batch 1 ran 0.70 to 0.83 times as long
    /// on two workers with this one. A pool that has gone to sleep takes 10 to 45 microseconds
    /// to wake, which a share this size does not repay; in a forward pass or a benchmark loop
    /// it has not.
    public static let minimumFlopsPerExtraWorker: Double = 400_000

    /// Elementwise kernels whose output is at least this large write it with non-temporal
    /// stores: input and output then exceed the last-level cache, so the output would be
    /// evicted before anyone reads it, and ordinary stores first read every line they fill.
    public static var streamingStoreBytes: Int { Topology.current.l3.totalBytes / 2 }

    /// Whether a kernel that reads `inputFloats` and writes `outputFloats` (pooling, depthwise
    /// convolution) works past `streamingStoreBytes`: its input then comes from memory, which it
    /// prefetches in software, and it streams its output.
    static func outgrowsLastLevelCache(inputFloats: Int, outputFloats: Int) -> Bool {
        (inputFloats + outputFloats) * MemoryLayout<Float>.stride >= streamingStoreBytes
    }

    /// Workers a problem of `flops` may use: at most `requested`, and one more only for every
    /// `minimumFlopsPerExtraWorker` of work.
    public static func workers(requested: Int, flops: Double, minimumFlopsPerExtraWorker: Double) -> Int {
        let affordable = max(1, Int(min(flops / max(1, minimumFlopsPerExtraWorker), 1e9)))
        return max(1, min(requested, affordable))
    }
}
