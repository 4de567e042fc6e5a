import _KernelShims

/// Copies blocks of op(A) and op(B) into the micro-panel layouts the microkernel streams
/// through (BLIS's packing). Rows or columns past the matrix edge are zero-filled, so edge
/// tiles run the same microkernel as full ones.
enum GemmPacking {
    /// Packs rows [i0, i0 + rows) x columns [p0, p0 + kc) of op(A) into ceil(rows / mr)
    /// micro-panels, each kc x mr stored k-major: `dst[panel][p * mr + r]`.
    @inline(__always)
    static func packA(_ p: GemmProblem, mr: Int, i0: Int, rows: Int, p0: Int, kc: Int,
                      into dst: UnsafeMutablePointer<Float>) {
        var panel = dst
        for panelIndex in 0..<(rows + mr - 1) / mr {
            let r0 = panelIndex * mr
            let live = min(mr, rows - r0)
            if p.transA == .none {
                // k outer, rows inner: the panel is written in order while MR row streams are read in order.
                let src = p.a + (i0 + r0) * p.lda + p0
                if live == mr {
                    // The rows two panels ahead, a cache line of each per 16 k steps: with
                    // few output columns (a 1x1 convolution to 64 channels) A is read once, from
                    // memory, and the 8 x MR blocks of the transposes wait on every line.
                    let ahead = r0 + 3 * mr <= rows ? src + 2 * mr * p.lda : nil
                    @inline(__always) func prefetchAhead(_ q: Int) {
                        guard let ahead, q % 16 == 0 else { return }
                        for r in 0..<mr { nnk_prefetch_for_read(ahead + r * p.lda + q) }
                    }
                    // Eight k steps a time, transposed in registers, for the MRs of the
                    // microkernel list: a value at a time, packing A for MR = 12 took a
                    // sixteenth of a 1024-cubed product.
                    var q = 0
                    switch mr {
                    case 6:
                        // Each block's last store spills two floats into the next k step, so
                        // the last block (q + 8 == kc) goes to the scalar loop, which writes
                        // that step in full.
                        while q + 8 < kc {
                            prefetchAhead(q)
                            nnk_pack_a6x8(src + q, p.lda, panel + q * mr)
                            q += 8
                        }
                    case 12:
                        while q + 8 <= kc {
                            prefetchAhead(q)
                            nnk_pack_a12x8(src + q, p.lda, panel + q * mr)
                            q += 8
                        }
                    case 4:
                        while q + 8 <= kc {
                            prefetchAhead(q)
                            nnk_pack_a4x8(src + q, p.lda, panel + q * mr)
                            q += 8
                        }
                    default: break
                    }
                    for q in q..<kc {
                        for r in 0..<mr { panel[q * mr + r] = src[r * p.lda + q] }
                    }
                } else {
                    for q in 0..<kc {
                        for r in 0..<live { panel[q * mr + r] = src[r * p.lda + q] }
                    }
                }
            } else {
                for q in 0..<kc {
                    (panel + q * mr).update(from: p.a + (p0 + q) * p.lda + i0 + r0, count: live)
                }
            }
            if live < mr {
                for q in 0..<kc { (panel + q * mr + live).update(repeating: 0, count: mr - live) }
            }
            panel += mr * kc
        }
    }

    /// Packs micro-panels [firstPanel, endPanel) of the block rows [p0, p0 + kc) of op(B) whose
    /// first column is `j0`: panel t holds columns j0 + t * nr ..< + nr row by row,
    /// `dst[t * nr * kc + q * nr + j]`. Columns past n are zero.
    ///
    /// Untransposed B is copied a row at a time, so each row slice is read in order (what the
    /// hardware prefetcher follows) rather than one 16-column strip at a time, which reads one
    /// cache line from each row a leading dimension apart and waits on every one.
    @inline(__always)
    static func packB(_ p: GemmProblem, nr: Int, p0: Int, kc: Int, j0: Int, panels: Range<Int>,
                      into dst: UnsafeMutablePointer<Float>) {
        if panels.isEmpty { return }
        let fullPanels = max(panels.lowerBound, min(panels.upperBound, (p.n - j0) / nr))
        if p.transB == .none {
            // Eight floats a move when NR allows (every SIMD microkernel's NR does): a copy of
            // unknown length is otherwise a loop of single floats, which made packing B cost
            // half as much as the FMAs at batch 64.
            // Rows go eight at a time, panel by panel: each panel then receives eight rows
            // (8 * NR floats) contiguously instead of one row scattered a panel apart, while
            // the eight source rows are still each read in order.
            let vectorCopies = nr % 8 == 0, wideCopies = nr % 16 == 0
            // Loops over integer ranges, not `stride(from:to:by:)`: inlined into the driver's
            // `work`, those became a call to `StrideToIterator.next` for every 32-float row,
            // 9% of a 1024-cubed product's samples on two threads
            // (results/packing-range-loops-20261205).
            for rowGroup in 0..<(kc + 7) / 8 {
                let q0 = rowGroup * 8
                let rows = min(8, kc - q0)
                for t in panels.lowerBound..<fullPanels {
                    for q in q0..<(q0 + rows) {
                        let src = p.b + (p0 + q) * p.ldb + j0 + t * nr
                        let to = dst + t * nr * kc + q * nr
                        if wideCopies {
                            // Sixteen floats a move for NR = 32: one AVX-512 store, not two.
                            for v in 0..<nr / 16 {
                                let j = v * 16
                                UnsafeMutableRawPointer(to + j).storeBytes(
                                    of: UnsafeRawPointer(src + j).loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                            }
                        } else if vectorCopies {
                            for v in 0..<nr / 8 {
                                let j = v * 8
                                UnsafeMutableRawPointer(to + j).storeBytes(
                                    of: UnsafeRawPointer(src + j).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                            }
                        } else {
                            to.update(from: src, count: nr)
                        }
                    }
                }
            }
            for t in fullPanels..<panels.upperBound {
                packBPanel(p, nr: nr, p0: p0, kc: kc, j: j0 + t * nr, into: dst + t * nr * kc)
            }
        } else {
            for t in panels {
                packBPanel(p, nr: nr, p0: p0, kc: kc, j: j0 + t * nr, into: dst + t * nr * kc)
            }
        }
    }

    /// Packs micro-panel `panel` of the block rows [p0, p0 + kc) x columns [j0, j0 + cols) of op(B):
    /// columns j0 + panel * nr ..< + nr, stored row by row, `dst[q * nr + j]`.
    @inline(__always)
    static func packBPanel(_ p: GemmProblem, nr: Int, p0: Int, kc: Int, j: Int,
                           into dst: UnsafeMutablePointer<Float>) {
        let live = min(nr, p.n - j)
        if p.transB == .none {
            if live == nr {
                for q in 0..<kc { (dst + q * nr).update(from: p.b + (p0 + q) * p.ldb + j, count: nr) }
            } else {
                for q in 0..<kc {
                    (dst + q * nr).update(from: p.b + (p0 + q) * p.ldb + j, count: live)
                    (dst + q * nr + live).update(repeating: 0, count: nr - live)
                }
            }
        } else {
            for c in 0..<live {
                let src = p.b + (j + c) * p.ldb + p0
                for q in 0..<kc { dst[q * nr + c] = src[q] }
            }
            if live < nr {
                for q in 0..<kc { (dst + q * nr + live).update(repeating: 0, count: nr - live) }
            }
        }
    }
}
