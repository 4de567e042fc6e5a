/// The steps from the tutorial loop to the machine's peak, each kept so its gain can be measured.
public enum GemmVariant: String, Sendable, CaseIterable {
    /// The triple loop of the tutorials, one dot product per element of C.
    case naive
    /// The i-p-j loop with the inner loop on SIMD vectors over a row of C.
    case simd
    /// The SIMD loop blocked for the caches, without packing.
    case tiled
    /// Goto/BLIS: packed micro-panels, a register-blocked MR x NR microkernel, cache blocking
    /// from hwloc, and work shared among threads.
    case packed
}
