/// Measures what the cores can do: independent chains of fused multiply-adds, enough of them
/// to cover the FMA latency on every pipe (12 chains: two pipes times four cycles, with margin),
/// so the loop runs at the FMA throughput limit. This is the yardstick of every report.
public enum FMAPeakProbe {
    public static let chains = 12

    /// FLOPs per loop step for vector type `Vector`: chains x lanes x 2.
    public static func flopsPerStep<Vector: SIMD>(_: Vector.Type) -> Double where Vector.Scalar == Float {
        Double(chains * Vector.scalarCount * 2)
    }

    /// The widest vector the CPU runs at full rate: 16 lanes with AVX-512, else 8.
    public static var vectorLanes: Int { CPURequirement.avx512F.isMet ? 16 : 8 }

    /// FLOPs of one `run(steps:)` call.
    public static func flops(steps: Int) -> Double {
        vectorLanes == 16 ? Double(steps) * flopsPerStep(SIMD16<Float>.self) : Double(steps) * flopsPerStep(SIMD8<Float>.self)
    }

    /// Runs `steps` steps of the FMA chains and returns a value that depends on all of them.
    @inline(never)
    public static func run(steps: Int, seed: Float) -> Float {
        vectorLanes == 16 ? chainLoop(steps: steps, seed: seed, SIMD16<Float>.self)
                          : chainLoop(steps: steps, seed: seed, SIMD8<Float>.self)
    }

    @inline(__always)
    static func chainLoop<Vector: SIMD>(steps: Int, seed: Float, _: Vector.Type) -> Float where Vector.Scalar == Float {
        var acc = InlineArray<12, Vector>(repeating: Vector(repeating: seed))
        // acc = acc * m + c converges to c / (1 - m): it never overflows or goes subnormal.
        let m = Vector(repeating: 0.999_99), c = Vector(repeating: 1e-3)
        for _ in 0..<steps {
            for i in 0..<12 {
                var next = c
                next.addProduct(acc[i], m)
                acc[i] = next
            }
        }
        var total = Vector.zero
        for i in 0..<12 { total += acc[i] }
        return total.sum()
    }

    /// Runs the probe on `workers` threads at once (pinned when pinning is active).
    public static func run(steps: Int, workers: Int, results: UnsafeMutablePointer<Float>) {
        ParallelRegion.run(workers: workers) { worker in
            results[worker] = run(steps: steps, seed: Float(worker + 1))
        }
    }
}

/// STREAM's triad, `a = b + s * c`, over arrays much larger than the last-level cache: the
/// memory bandwidth that bounds every kernel that touches each byte once.
public enum TriadProbe {
    /// Bytes moved per element: read b and c, write a (write-allocate traffic not counted, as STREAM).
    public static let bytesPerElement = 3 * MemoryLayout<Float>.size

    public static func run(a: UnsafeMutablePointer<Float>, b: UnsafePointer<Float>, c: UnsafePointer<Float>,
                           count: Int, scalar: Float, workers: Int) {
        let chunk = (count + workers - 1) / workers / 16 * 16 + 16
        ParallelRegion.run(workers: workers) { worker in
            let start = min(count, worker * chunk)
            let end = min(count, start + chunk)
            triad(a + start, b + start, c + start, count: end - start, scalar: scalar)
        }
    }

    @inline(__always)
    static func triad(_ a: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>,
                      count: Int, scalar: Float) {
        typealias Vector = SIMD16<Float>
        let s = Vector(repeating: scalar)
        let ra = UnsafeMutableRawPointer(a), rb = UnsafeRawPointer(b), rc = UnsafeRawPointer(c)
        var i = 0
        while i + Vector.scalarCount <= count {
            var v = rb.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
            v.addProduct(s, rc.loadUnaligned(fromByteOffset: i * 4, as: Vector.self))
            ra.storeBytes(of: v, toByteOffset: i * 4, as: Vector.self)
            i += Vector.scalarCount
        }
        while i < count {
            a[i] = b[i] + scalar * c[i]
            i += 1
        }
    }
}
