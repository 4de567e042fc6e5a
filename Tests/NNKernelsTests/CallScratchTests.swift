import Foundation
import Testing
@testable import NNKernels

/// The scratch block a thread keeps between kernel calls: regions apart and aligned, the block
/// reused by the next call on the thread, a nested call given a block of its own, and blocks past
/// the limit not kept.
@Suite("Call scratch")
struct CallScratchTests {
    @Test func regionsAreAlignedAndApart() {
        var scratch = CallScratch()
        let floats = scratch.reserve(Float.self, count: 7)
        let empty = scratch.reserve(Float.self, count: 0)
        let counters = scratch.reserve(Int64.self, count: 3)
        #expect(floats == 0 && empty == 64 && counters == 64)
        #expect(scratch.bytes == 128)
        scratch.take()
        defer { scratch.giveBack() }
        let f = scratch.region(Float.self, at: floats, count: 7)
        let c = scratch.region(Int64.self, at: counters, count: 3)
        #expect(Int(bitPattern: f) % 64 == 0 && Int(bitPattern: c) % 64 == 0)
        f.initialize(repeating: 1, count: 7)
        c.initialize(repeating: 2, count: 3)
        #expect((0..<7).allSatisfy { f[$0] == 1 } && (0..<3).allSatisfy { c[$0] == 2 })
    }

    @Test func theNextCallOnAThreadReusesTheBlockAndANestedCallGetsItsOwn() {
        // On a thread of its own, so that no other test's calls share its kept block.
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            Self.reuseOnOneThread()
            done.signal()
        }
        thread.start()
        done.wait()
    }

    /// Takes a block for `floats` floats, runs `body` with its address, and gives it back.
    static func withBlock(floats: Int, _ body: (UnsafeMutablePointer<Float>) -> Void = { _ in }) -> UnsafeMutablePointer<Float> {
        var scratch = CallScratch()
        _ = scratch.reserve(Float.self, count: floats)
        scratch.take()
        let block = scratch.region(Float.self, at: 0, count: floats)
        body(block)
        scratch.giveBack()
        return block
    }

    static func reuseOnOneThread() {
        var nestedBlock: UnsafeMutablePointer<Float>? = nil
        let first = withBlock(floats: 1000) { outer in
            // Nested: the outer call still holds the thread's block.
            nestedBlock = withBlock(floats: 10)
            #expect(nestedBlock != outer)
        }
        // The larger block is the one kept, and a smaller call takes it.
        let second = withBlock(floats: 500) { block in
            #if DEBUG
            #expect(block[0].isNaN, "a debug build fills a block it hands out with 0xFF bytes")
            #endif
        }
        #expect(second == first)
        // A call larger than the kept block gets a new one, which is then kept instead.
        let larger = withBlock(floats: 2000)
        #expect(larger != first)
        #expect(withBlock(floats: 1500) == larger)
        // A block past the limit is freed, not kept: the 2000-float block still is.
        _ = withBlock(floats: CallScratch.keepLimitBytes / 4 + 16)
        #expect(withBlock(floats: 1500) == larger)
    }
}
