import Foundation
import Synchronization
import NNKernels

// One trial of concurrent first calls: CALLERS threads released together, each running every
// supported microkernel on small shapes (row stream and packed, 1 and 2 threads), checked
// against a Double reference. Exit 1 at the first wrong element.
let args = CommandLine.arguments.dropFirst()
let callers = Int(args.first { Int($0) != nil } ?? "8")!
let warm = args.contains("--warm")
let kernels = GemmMicrokernels.all.filter(\.isSupported)
let shapes = [(1, 129, 9), (2, 67, 8), (3, 143, 5), (5, 40, 17), (7, 300, 6), (11, 37, 31),
              (13, 37, 17), (29, 129, 31), (64, 65, 64)]

struct Rng { var s: UInt64; mutating func next() -> Float { s &+= 0x9E3779B97F4A7C15; var z = s
    z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) &* 0x94D049BB133111EB; z ^= z >> 31
    return Float(z >> 40) / Float(1 << 24) * 2 - 1 } }

final class Failures: @unchecked Sendable { let count = Atomic<Int>(0) }
let failures = Failures()

func runCase(_ kernel: GemmMicrokernelDescriptor, _ m: Int, _ n: Int, _ k: Int, threads: Int, seed: UInt64) -> String? {
    var rng = Rng(s: seed)
    let lda = k + 3, ldb = n + 3, ldc = n + 3
    let a = (0..<(m * lda)).map { _ in rng.next() }
    let b = (0..<(k * ldb)).map { _ in rng.next() }
    var c = [Float](repeating: .nan, count: m * ldc)
    a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in c.withUnsafeMutableBufferPointer { c in
        let p = try! Gemm.validate(transA: .none, transB: .none, m: m, n: n, k: k, alpha: 1, a: a, lda: lda,
                                   b: b, ldb: ldb, beta: 0, c: c, ldc: ldc)
        kernel.packedGemm(p, threads: threads, minimumFlopsPerExtraWorker: 0)
    } } }
    for i in 0..<m {
        for j in 0..<n {
            var s = 0.0
            for p in 0..<k { s += Double(a[i * lda + p]) * Double(b[p * ldb + j]) }
            let tol = Double(k) * 4 * Double(Float.ulpOfOne) * (1 + abs(s)) + 1e-6
            if !(abs(Double(c[i * ldc + j]) - s) <= tol) {
                return "\(kernel.name) \(m)x\(n)x\(k) threads=\(threads): C[\(i),\(j)] = \(c[i * ldc + j]), expected \(s)"
            }
        }
        for j in n..<ldc where !c[i * ldc + j].isNaN { return "\(kernel.name) \(m)x\(n)x\(k): wrote padding C[\(i),\(j)]" }
    }
    return nil
}

if warm {
    for kernel in kernels { for (m, n, k) in shapes { for t in [1, 2] { _ = runCase(kernel, m, n, k, threads: t, seed: 1) } } }
}

let started = Atomic<Int>(0)
let group = DispatchGroup()
for caller in 0..<callers {
    group.enter()
    Thread.detachNewThread {
        defer { group.leave() }
        started.add(1, ordering: .acquiringAndReleasing)
        while started.load(ordering: .acquiring) < callers {}
        for step in 0..<(kernels.count * shapes.count * 2) {
            let index = (step + caller * 7) % (kernels.count * shapes.count * 2)
            let kernel = kernels[(index / 2 + caller) % kernels.count]
            let (m, n, k) = shapes[(index / 2) % shapes.count]
            if let failure = runCase(kernel, m, n, k, threads: 1 + index % 2, seed: UInt64(index)) {
                print("FAIL caller \(caller): \(failure)")
                failures.count.add(1, ordering: .relaxed)
                return
            }
        }
    }
}
group.wait()
if failures.count.load(ordering: .relaxed) > 0 { exit(1) }
print("ok")
