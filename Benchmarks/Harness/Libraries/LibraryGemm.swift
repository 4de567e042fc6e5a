import COpenBLAS
import Foundation
import NNKernels

/// The established GEMMs timed beside this package's in the same run: what a user would call
/// instead. Each runs the row-major `C = alpha * A * B + beta * C` of a `GemmProblem` (no
/// transposes) on the requested threads.
/// - `openblas`: OpenBLAS's `cblas_sgemm` (what NumPy's `np.dot` calls);
/// - `onednn`: oneDNN's `dnnl_sgemm` (the library PyTorch runs on the CPU);
/// - `blis`: BLIS's typed `bli_sgemm`.
enum LibraryGemm: String, CaseIterable {
    case openblas, onednn, blis

    /// Whether the library can be called here; if not, one line saying why and what to install.
    func unavailableReason() -> String? {
        switch self {
        case .openblas, .onednn: return nil  // linked
        case .blis: return BLIS.loaded.failure
        }
    }

    /// Sets the library's thread count, once before a case is timed, and lets the calling
    /// thread (bound by this package's last parallel region) run anywhere: the library's own
    /// threads, started from it, would inherit its binding.
    func setThreads(_ threads: Int) {
        ThreadPinning.releaseCallingThread()
        switch self {
        case .openblas: openblas_set_num_threads(Int32(threads))
        case .onednn: OneDNN.setThreads(threads)
        case .blis: BLIS.loaded.functions?.setThreads(threads)
        }
    }

    func sgemm(_ p: GemmProblem) {
        precondition(p.transA == .none && p.transB == .none, "library GEMMs are timed without transposes")
        switch self {
        case .openblas:
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(p.m), Int32(p.n), Int32(p.k), p.alpha, p.a,
                        Int32(p.lda), p.b, Int32(p.ldb), p.beta, p.c, Int32(p.ldc))
        case .onednn:
            OneDNN.sgemm(p)
        case .blis:
            BLIS.loaded.functions!.sgemm(p)
        }
    }

    /// The library's own description of its version and build, for the report's metadata.
    var buildDescription: String {
        switch self {
        case .openblas: return String(cString: openblas_get_config())
        case .onednn: return OneDNN.versionDescription
        case .blis: return BLIS.loaded.functions?.version ?? (BLIS.loaded.failure ?? "not loaded")
        }
    }
}
