import Foundation
import _KernelShims

/// Whether worker threads are bound to cores. Pinning keeps a worker's packed panels in its
/// own core's L1/L2 and steadies multithreaded timings; it is on by default where the
/// system allows it, and `NNK_PIN=0` turns it off.
public enum ThreadPinning {
    /// True when pinning was asked for and a trial binding succeeded.
    public static let isActive: Bool = {
        if ProcessInfo.processInfo.environment["NNK_PIN"] == "0" { return false }
        return HwlocTopology.shared.bindCurrentThread(toCore: 0)
    }()

    /// Why pinning is or is not in force, for reports.
    public static var status: String {
        if ProcessInfo.processInfo.environment["NNK_PIN"] == "0" { return "off (NNK_PIN=0)" }
        return isActive ? "pinned (hwloc, one worker per core)" : "not pinned (binding refused by the system)"
    }

    /// Lets the calling thread run on any core until its next parallel region binds it again.
    /// Before another library's threads are first started from this thread: a thread inherits
    /// its creator's binding, and OpenMP threads started from a caller bound to core 0 all ran
    /// on core 0 (oneDNN's 1024-cubed GEMM on two threads took 38 ms instead of 10).
    public static func releaseCallingThread() {
        guard isActive else { return }
        if HwlocTopology.shared.unbindCurrentThread() { nnk_set_thread_bound_core(-1) }
    }

    /// Binds the calling thread to `worker`'s core, unless it already is: each parallel region
    /// binds its caller as worker 0, and the system call cost about 3 microseconds a region
    /// here: a 1 x 64 x 512 GEMM forced onto two workers took 4.3 to 5.0 microseconds against
    /// 2.0 to 2.3 on one, and 2.2 to 2.7 once the caller was bound only once. A binding made
    /// outside this type is not seen.
    @inline(__always)
    static func bindWorker(_ worker: Int) {
        guard isActive, nnk_thread_bound_core() != worker else { return }
        if HwlocTopology.shared.bindCurrentThread(toCore: worker) { nnk_set_thread_bound_core(worker) }
    }
}
