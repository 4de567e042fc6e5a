import Foundation

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

    @inline(__always)
    static func bindWorker(_ worker: Int) {
        if isActive { _ = HwlocTopology.shared.bindCurrentThread(toCore: worker) }
    }
}
