import Dispatch

/// Runs `body(worker)` for workers 0..<count on separate threads through
/// `DispatchQueue.concurrentPerform`, each pinned to its core when pinning is active.
/// One worker runs inline: waking a thread costs tens of microseconds on this class of machine.
///
/// `concurrentPerform` does not promise that all workers run at once (a busy pool may run two
/// iterations on one thread in turn), so bodies must never wait for a worker that has not
/// started; the GEMM schedule hands out work through a shared counter for that reason.
public enum ParallelRegion {
    @inline(__always)
    public static func run(workers: Int, _ body: (Int) -> Void) {
        if workers <= 1 {
            body(0)
            return
        }
        withoutActuallyEscaping(body) { body in
            let task = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                ThreadPinning.bindWorker(worker)
                task.value(worker)
            }
        }
    }
}

/// Carries a value into a concurrent region whose safety the caller has reasoned about.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
