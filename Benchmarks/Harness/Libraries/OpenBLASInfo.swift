import COpenBLAS

/// OpenBLAS's own description of its build (version, target core, threading).
func openBLASConfig() -> UnsafeMutablePointer<CChar> {
    openblas_get_config()
}
