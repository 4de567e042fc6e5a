import Testing
import NNKernels

@Suite("Cache read probe")
struct CacheReadProbeTests {
    /// Small integers keep every partial sum exact, so each worker's sum must equal the exact one,
    /// whatever the count: below one unrolled step (128 floats), a multiple of it, and between.
    @Test("each worker sums exactly its own slice", arguments: [1, 127, 128, 1000, 4096 + 37], [1, 2])
    func sumsOwnSlice(count: Int, workers: Int) {
        let buffer = AlignedFloatBuffer(count: count * workers)
        defer { buffer.deallocate() }
        for i in 0..<buffer.count { buffer.pointer[i] = Float(i % 5) }
        var results = [Float](repeating: -1, count: workers)
        results.withUnsafeMutableBufferPointer {
            CacheReadProbe.run(buffer: buffer.pointer, count: count, workers: workers, results: $0.baseAddress!)
        }
        for w in 0..<workers {
            let exact = (0..<count).reduce(0) { $0 + ($1 + w * count) % 5 }
            #expect(results[w] == Float(exact), "worker \(w) of \(workers), count \(count)")
        }
    }

    @Test("half of L2, in whole lines")
    func sizedFromL2() {
        #expect(CacheReadProbe.floatsPerWorker(l2Bytes: 1 << 20) == 131_072)
        #expect(CacheReadProbe.floatsPerWorker(l2Bytes: 1_280 * 1024) == 163_840)
        #expect(CacheReadProbe.floatsPerWorker(l2Bytes: 1000) == 1024)
    }
}
