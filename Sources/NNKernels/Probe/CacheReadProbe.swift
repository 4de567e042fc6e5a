/// How fast one core reads data that sits in its own L2: each worker sums its own buffer, sized
/// to fit that worker's L2 with room to spare, once a call. A dense layer at batch 1 whose
/// weights fit in L2 (256 x 784, 784 KiB) is bound by this rate rather than by the FMA peak or
/// the memory triad: the README and the notes read those rows against it (no report column does).
public enum CacheReadProbe {
    /// Floats per worker: half of one core's L2, whole 64-byte lines.
    public static func floatsPerWorker(l2Bytes: Int) -> Int {
        max(1024, l2Bytes / 2 / MemoryLayout<Float>.stride / 16 * 16)
    }

    /// Each worker sums `count` floats from `buffer + worker * count` into `results[worker]`.
    /// Workers are pinned where pinning is active, so each one's buffer stays in its core's L2
    /// from one call to the next.
    public static func run(buffer: UnsafePointer<Float>, count: Int, workers: Int, results: UnsafeMutablePointer<Float>) {
        ParallelRegion.run(workers: workers) { worker in
            results[worker] = sum(buffer + worker * count, count: count)
        }
    }

    /// Eight independent sums of 16-lane vectors: enough additions in flight to cover their
    /// latency on both pipes, so the loads, not the adds, set the pace.
    @inline(never)
    static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        typealias Vector = SIMD16<Float>
        let width = Vector.scalarCount
        var acc = InlineArray<8, Vector>(repeating: .zero)
        let raw = UnsafeRawPointer(x)
        var i = 0
        while i + 8 * width <= count {
            for u in 0..<8 { acc[u] += raw.loadUnaligned(fromByteOffset: (i + u * width) * 4, as: Vector.self) }
            i += 8 * width
        }
        var total: Float = 0
        while i < count {
            total += x[i]
            i += 1
        }
        for u in 0..<8 { total += acc[u].sum() }
        return total
    }
}
