import Foundation
import NNKernels

/// BLIS (Debian's `libblis-dev`), opened at run time rather than linked: it exports the same
/// BLAS and CBLAS symbols as OpenBLAS, and linking both would bind `cblas_sgemm` to whichever
/// came first. Opened local, its symbols are not seen by the rest of the process; only its typed
/// API is called (`bli_sgemm`, which takes row and column strides, so row-major needs no
/// transpose), whose `bli_` names no other library defines. Not deep-bound: the sanitizers'
/// runtimes refuse `RTLD_DEEPBIND`.
enum BLIS {
    struct Functions {
        // trans_t is an enum (BLIS_NO_TRANSPOSE = 0); dim_t and inc_t are 64-bit.
        typealias Sgemm = @convention(c) (Int32, Int32, Int, Int, Int, UnsafePointer<Float>, UnsafePointer<Float>, Int, Int,
                                          UnsafePointer<Float>, Int, Int, UnsafePointer<Float>, UnsafeMutablePointer<Float>,
                                          Int, Int) -> Void
        typealias SetThreads = @convention(c) (Int) -> Void
        typealias VersionString = @convention(c) () -> UnsafePointer<CChar>
        let sgemmFunction: Sgemm
        let setThreadsFunction: SetThreads
        let version: String

        func setThreads(_ threads: Int) { setThreadsFunction(threads) }

        func sgemm(_ p: GemmProblem) {
            let noTranspose: Int32 = 0
            var alpha = p.alpha, beta = p.beta
            sgemmFunction(noTranspose, noTranspose, p.m, p.n, p.k, &alpha, p.a, p.lda, 1, p.b, p.ldb, 1, &beta, p.c, p.ldc, 1)
        }
    }

    /// The library's functions, or why they could not be had.
    static let loaded: (functions: Functions?, failure: String?) = {
        let name = "libblis.so.4"
        guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "dlopen failed"
            return (nil, "BLIS is not available (\(reason)); install libblis-dev")
        }
        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            dlsym(handle, name).map { unsafeBitCast($0, to: type) }
        }
        guard let sgemm = symbol("bli_sgemm", as: Functions.Sgemm.self),
              let setThreads = symbol("bli_thread_set_num_threads", as: Functions.SetThreads.self) else {
            return (nil, "\(name) lacks bli_sgemm or bli_thread_set_num_threads")
        }
        let version = symbol("bli_info_get_version_str", as: Functions.VersionString.self).map { String(cString: $0()) } ?? "?"
        return (Functions(sgemmFunction: sgemm, setThreadsFunction: setThreads, version: "BLIS \(version)"), nil)
    }()
}
