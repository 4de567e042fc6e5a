import _KernelShims

/// Software prefetch of a span of memory, one request per 64-byte cache line: for the kernels
/// that, past half the last-level cache, fetch the input a window ahead into L2 (NHWC pooling,
/// NHWC depthwise convolution). Into L2, not L1: there the lines fetched ahead evicted the
/// lines in use (results/pooling-prefetch-to-l2-20261205).
enum CacheLinePrefetch {
    static let lineBytes = 64

    /// Fetches the lines from `start` up to `start + bytes` (the line holding `start` first).
    @inline(__always)
    static func toL2(_ start: UnsafeRawPointer, bytes: Int) {
        for line in stride(from: 0, to: bytes, by: lineBytes) { nnk_prefetch_to_l2(start + line) }
    }
}
