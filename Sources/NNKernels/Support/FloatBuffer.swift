/// A 64-byte aligned buffer of floats, for packed panels and benchmark operands.
/// Aligned to a cache line so packed micro-panels never straddle one more than they must.
public struct AlignedFloatBuffer: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    public init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(1, count))
    }

    /// A buffer whose floats all start at zero: padding that tiles read but never write, and
    /// scratch tiles whose rows past the live ones must hold no garbage.
    public init(zeroedCount count: Int) {
        self.init(count: count)
        pointer.initialize(repeating: 0, count: count)
    }

    public func deallocate() { UnsafeMutableRawPointer(pointer).deallocate() }

    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }
}
