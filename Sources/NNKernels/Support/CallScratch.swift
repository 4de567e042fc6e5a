import _KernelShims

/// The scratch memory of one GEMM call (packed panels, scratch tiles, counters), carved from
/// one block that the calling thread keeps between calls (`nnk_scratch_take`). A small product
/// otherwise paid the allocator for five buffers at every call: at 64 cubed, malloc, free and
/// the zeroing of fresh buffers were about a twelfth of the call's time.
///
/// Reserve every region first, then `take()`; hand the block back with `giveBack()` once no
/// worker touches it any more. Each region starts on a 64-byte boundary and holds whatever the
/// block held before: callers zero what must start at zero.
struct CallScratch {
    /// The largest block a thread keeps (1 MiB: a 256-cubed product's panels). A larger call
    /// allocates its own block, whose cost is small against its arithmetic, and frees it.
    static let keepLimitBytes = 1 << 20

    /// Bytes reserved so far.
    private(set) var bytes = 0
    private var block: UnsafeMutableRawPointer? = nil
    private var capacity = 0

    /// Reserves room for `count` values of `T` and returns the region's offset.
    mutating func reserve<T>(_: T.Type, count: Int) -> Int {
        precondition(block == nil, "reserve before take")
        let offset = bytes
        bytes += (max(0, count) * MemoryLayout<T>.stride + 63) / 64 * 64
        return offset
    }

    /// Takes a block large enough for every region reserved.
    mutating func take() {
        precondition(block == nil, "taken twice")
        var capacity = 0
        guard let block = nnk_scratch_take(bytes, &capacity) else {
            fatalError("out of memory: \(bytes) bytes of kernel scratch")
        }
        self.block = block
        self.capacity = capacity
        #if DEBUG
        // Every byte 0xFF (a NaN in every float, -1 in every counter), so that a test of a debug
        // build fails wherever a kernel reads a region before writing it.
        block.initializeMemory(as: UInt8.self, repeating: 0xFF, count: capacity)
        #endif
    }

    /// The region reserved at `offset` for `count` values of `T`, bound to `T` (a block kept
    /// from an earlier call may have held other types there).
    func region<T>(_: T.Type, at offset: Int, count: Int) -> UnsafeMutablePointer<T> {
        (block! + offset).bindMemory(to: T.self, capacity: max(1, count))
    }

    /// Hands the block back to the thread (or frees it, past `keepLimitBytes`).
    mutating func giveBack() {
        nnk_scratch_give_back(block, capacity, Self.keepLimitBytes)
        block = nil
        capacity = 0
    }
}
