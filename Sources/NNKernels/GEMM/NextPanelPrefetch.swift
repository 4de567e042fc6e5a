import _KernelShims

/// Fetches the source of the next phase's B panel into L2 a few cache lines at each tile of the
/// current phase, so that packing it reads from L2 instead of waiting on memory with no FMAs
/// beside it. Used when each packed element of B serves one pass of tiles only (every row of A
/// in one MC block, `PackedGemmSchedule.prefetchesNextPanel`): there packing B was the one part
/// of the product that waited on memory.
///
/// The source is walked row by row (a row of op(B)'s storage: k rows of B, or n rows of B^T),
/// each row as the cache lines that cover it, with a cursor instead of a division per line.
struct NextPanelPrefetch {
    private static let lineBytes = 64
    private var row: UnsafeRawPointer
    private let rowStride: Int
    private var rowsLeft: Int
    private let linesPerRow: Int
    private var line = 0
    private let linesPerTile: Int

    /// The source of the KC x NC block of op(B) at rows [p0, p0 + kc), columns [j0, j0 + nc),
    /// spread over `tiles` calls of `advance`. The mode runs on one worker, so one walker
    /// covers the whole block.
    init(_ p: GemmProblem, p0: Int, kc: Int, j0: Int, nc: Int, tiles: Int) {
        // Stored rows of the block, and the floats of each that the block covers.
        let (rows, first, length) = p.transB == .none ? (kc, p.b + p0 * p.ldb + j0, nc) : (nc, p.b + j0 * p.ldb + p0, kc)
        let lineBytes = Self.lineBytes
        let start = Int(bitPattern: first) / lineBytes * lineBytes
        // The lines the first row touches, and one more for rows that sit differently across lines.
        let end = Int(bitPattern: first + length)
        linesPerRow = (end - start + lineBytes - 1) / lineBytes + (p.ldb * MemoryLayout<Float>.stride % lineBytes == 0 ? 0 : 1)
        rowStride = p.ldb * MemoryLayout<Float>.stride
        rowsLeft = rows
        row = UnsafeRawPointer(bitPattern: start)!
        linesPerTile = (rows * linesPerRow + tiles - 1) / max(1, tiles)
    }

    /// Fetches the next tile's share of lines.
    @inline(__always)
    mutating func advance() {
        var count = linesPerTile
        while count > 0 && rowsLeft > 0 {
            nnk_prefetch_to_l2(row + line * Self.lineBytes)
            line += 1
            count -= 1
            if line == linesPerRow {
                line = 0
                row += rowStride
                rowsLeft -= 1
            }
        }
    }
}
