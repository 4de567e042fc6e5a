import CDNNL
import Foundation
import NNKernels

/// oneDNN, linked (Debian's `libdnnl-dev`). Debian builds it on the OpenMP runtime: its thread
/// count is OpenMP's, set through `omp_set_num_threads` of the libgomp it loaded.
enum OneDNN {
    private typealias SetThreads = @convention(c) (Int32) -> Void
    private static let ompSetNumThreads: SetThreads? = dlsym(nil, "omp_set_num_threads")
        .map { unsafeBitCast($0, to: SetThreads.self) }

    static func setThreads(_ threads: Int) {
        guard let ompSetNumThreads else {
            fatalError("oneDNN is linked but omp_set_num_threads was not found: its thread count cannot be set")
        }
        ompSetNumThreads(Int32(threads))
    }

    /// `dnnl_sgemm` is row-major, as the problem is.
    static func sgemm(_ p: GemmProblem) {
        let status = dnnl_sgemm(CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "N")), Int64(p.m), Int64(p.n), Int64(p.k),
                                p.alpha, p.a, Int64(p.lda), p.b, Int64(p.ldb), p.beta, p.c, Int64(p.ldc))
        precondition(status == dnnl_success, "dnnl_sgemm failed with status \(status.rawValue) at \(p.m)x\(p.n)x\(p.k)")
    }

    static var versionDescription: String {
        guard let version = dnnl_version()?.pointee else { return "unknown" }
        let hash = version.hash.map { String(cString: $0) } ?? "?"
        return "oneDNN \(version.major).\(version.minor).\(version.patch) (\(hash)), CPU runtime \(version.cpu_runtime)"
    }
}
