import Dispatch
import Foundation
import _KernelShims

/// Runs `body(worker)` for workers 0..<count at once, worker 0 on the calling thread.
///
/// Two backends, chosen once per process by `NNK_THREADS`:
/// - `pool` (default): a persistent pool of pinned threads that spin for a while between jobs
///   (`WorkerPool.c`). Measured here, a second `concurrentPerform` worker started 60 to 465
///   microseconds late, so regions shorter than that ran on one thread; a spinning worker starts
///   within microseconds, as OpenBLAS's and OpenMP's do.
/// - `dispatch`: `DispatchQueue.concurrentPerform`, kept to measure the difference.
///
/// Neither promises that all workers run at once (a busy pool runs the shares one after the
/// other on the caller), so bodies must never wait for a worker that has not started; the GEMM
/// schedule hands out work through a shared counter for that reason.
public enum ParallelRegion {
    public enum Backend: String, Sendable {
        case pool
        case dispatch
    }

    public static let backend: Backend =
        Backend(rawValue: ProcessInfo.processInfo.environment["NNK_THREADS"] ?? "") ?? .pool

    /// How long pool threads spin after a job before they sleep: long enough to cover the gap
    /// between consecutive kernel calls in a network's forward pass or a benchmark loop.
    public static let spinMicroseconds = 2_000

    nonisolated(unsafe) private static let pool: OpaquePointer? = {
        let threads = max(1, Topology.current.cores)
        return nnk_pool_create(threads, spinMicroseconds) { worker in ThreadPinning.bindWorker(worker) }
    }()

    /// Worker `worker`'s share of `count` items split among `workers` in contiguous runs of
    /// equal length (the last run shorter, or empty, when `count` does not divide evenly).
    @inline(__always)
    public static func share(of count: Int, worker: Int, workers: Int) -> Range<Int> {
        let perWorker = (count + workers - 1) / workers
        return min(count, worker * perWorker)..<min(count, (worker + 1) * perWorker)
    }

    @inline(__always)
    public static func run(workers: Int, _ body: (Int) -> Void) {
        if workers <= 1 {
            body(0)
            return
        }
        withoutActuallyEscaping(body) { body in
            switch backend {
            case .pool:
                var task = body
                withUnsafeMutablePointer(to: &task) { context in
                    ThreadPinning.bindWorker(0)
                    _ = nnk_pool_run(pool, workers, { context, worker in
                        context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(worker)
                    }, context)
                }
            case .dispatch:
                let task = UncheckedSendable(body)
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    ThreadPinning.bindWorker(worker)
                    task.value(worker)
                }
            }
        }
    }
}

/// Carries a value into a concurrent region whose safety the caller has reasoned about.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
