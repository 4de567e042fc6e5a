import _KernelShims

/// The instruction sets a microkernel needs to run at speed, checked against the CPU at run time.
public enum CPURequirement: String, Sendable {
    case none = "none"
    case avx2FMA = "avx2+fma"
    case avx512F = "avx512f"

    public var isMet: Bool {
        switch self {
        case .none: return true
        case .avx2FMA: return nnk_cpu_has_avx2_fma() != 0
        case .avx512F: return nnk_cpu_has_avx512f() != 0
        }
    }
}
