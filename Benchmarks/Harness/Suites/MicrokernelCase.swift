import NNKernels

/// The packed GEMM's microkernel alone, on one MR x KC panel of A and one KC x NR panel of B at
/// the driver's KC, called over and over into one C tile that stays in L1: the most any GEMM
/// built on it can reach, with no packing, no cold C and no edges. The panels stay in the cache
/// the driver's blocking streams them from (`PanelResidency`): L1 for the AVX2 tiles, L2 for the
/// 12 x 32 AVX-512 tile (60 KB at KC 344 against a 32 KB L1d). Its share of the FMA peak is the
/// ceiling of the `packed` rows, and the difference between the two is what the driver costs.
enum MicrokernelCase {
    static let kernel = "microkernel"
    /// Calls per timed iteration, so one iteration is long enough to time (tens of microseconds).
    static let callsPerIteration = 1_000

    /// `MRxNRxKC`, with KC from the derived blocking (what the driver passes).
    static func shape(_ microkernel: GemmMicrokernelDescriptor) -> String {
        "\(microkernel.mr)x\(microkernel.nr)x\(microkernel.blocking().kc)"
    }

    static func benchCase(_ microkernel: GemmMicrokernelDescriptor = GemmMicrokernels.preferred) -> BenchCase {
        let mr = microkernel.mr, nr = microkernel.nr, kc = microkernel.blocking().kc
        let flops = 2 * Double(mr * nr * kc * callsPerIteration)
        return BenchCase(suite: GemmSuite.name, kernel: kernel, variant: GemmVariant.packed.rawValue, shape: shape(microkernel),
                         threads: 1, flops: flops) {
            let a = AlignedFloatBuffer(count: mr * kc), b = AlignedFloatBuffer(count: kc * nr), c = AlignedFloatBuffer(count: mr * nr)
            var state: UInt32 = 777
            a.fillUniform(&state)
            b.fillUniform(&state)
            let body = {
                for _ in 0..<callsPerIteration {
                    microkernel.microkernel(kc, a.pointer, b.pointer, c.pointer, nr, 1, 0, .none)
                }
            }
            return PreparedCase(body: body,
                                check: {
                                    c.pointer.update(repeating: .nan, count: mr * nr)
                                    microkernel.microkernel(kc, a.pointer, b.pointer, c.pointer, nr, 1, 0, .none)
                                    return check(a: a.pointer, b: b.pointer, c: c.pointer, mr: mr, nr: nr, kc: kc)
                                },
                                release: { a.deallocate(); b.deallocate(); c.deallocate() })
        }
    }

    /// C against the Double product of the panels (A column by column, MR floats per k; B row by
    /// row, NR floats per k), relative to the sum of |terms|, within (KC + 3) ulp as for GEMM.
    static func check(a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafePointer<Float>, mr: Int, nr: Int, kc: Int)
        -> CheckOutcome {
        let bound = Double(kc + 3) * Double(Float.ulpOfOne)
        var worst = 0.0
        for r in 0..<mr {
            for j in 0..<nr {
                var sum = 0.0, magnitude = 0.0
                for q in 0..<kc {
                    let product = Double(a[q * mr + r]) * Double(b[q * nr + j])
                    sum += product
                    magnitude += abs(product)
                }
                let error = abs(Double(c[r * nr + j]) - sum) / max(magnitude, Double(Float.leastNormalMagnitude))
                worst = error.isNaN ? .infinity : max(worst, error)
            }
        }
        return CheckOutcome(passed: worst <= bound, maxError: worst)
    }
}
