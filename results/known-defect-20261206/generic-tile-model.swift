import Foundation
import Synchronization

// Mirrors the shape of the kernels' generic tile code, without any of the project's code:
// value-generic InlineArray accumulators, a nested step function capturing them, called
// unspecialized (-Onone) from several threads whose first calls overlap. `accumulate` and
// `accumulateInSets` are copies of SIMDGemmMicrokernel's, cut down, on purpose: the model must
// run the same generic code without the package. Build: swiftc -Onone -sanitize=thread FILE.
protocol Kernel { static var mr: Int { get }; static func check(kc: Int) -> Bool }
enum Driver<K: Kernel> { static func run(kc: Int) -> Bool { K.mr > 0 && K.check(kc: kc) } }
enum Tile<let MR: Int, let NV: Int, Vector: SIMD>: Kernel where Vector.Scalar == Float {
    static var mr: Int { MR }
    typealias Acc = InlineArray<MR, InlineArray<NV, Vector>>
    static func accumulate(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>) -> Acc {
        var acc = Acc { _ in InlineArray { _ in .zero } }
        var pa = a
        var pb = UnsafeRawPointer(b)
        let vectorBytes = Vector.scalarCount * 4
        func step() {
            var bv = InlineArray<NV, Vector>(repeating: .zero)
            for j in 0..<NV { bv[j] = pb.loadUnaligned(fromByteOffset: j * vectorBytes, as: Vector.self) }
            for r in 0..<MR {
                let av = Vector(repeating: pa[r])
                for j in 0..<NV { acc[r][j].addProduct(av, bv[j]) }
            }
        }
        for _ in 0..<kc {
            step()
            pa += MR
            pb += NV * vectorBytes
        }
        return acc
    }
    static func accumulateInSets(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>) -> Acc {
        var acc = InlineArray<4, Acc> { _ in Acc { _ in InlineArray { _ in .zero } } }
        let vectorBytes = Vector.scalarCount * 4
        var pa = a
        var pb = UnsafeRawPointer(b)
        func step(_ q: Int, into set: Int) {
            var bv = InlineArray<NV, Vector>(repeating: .zero)
            for j in 0..<NV { bv[j] = pb.loadUnaligned(fromByteOffset: q * NV * vectorBytes + j * vectorBytes, as: Vector.self) }
            for r in 0..<MR {
                let av = Vector(repeating: pa[q * MR + r])
                for j in 0..<NV { acc[set][r][j].addProduct(av, bv[j]) }
            }
        }
        var remaining = kc
        while remaining >= 4 {
            step(0, into: 0); step(1, into: 1); step(2, into: 2); step(3, into: 3)
            pa += 4 * MR
            pb += 4 * NV * vectorBytes
            remaining -= 4
        }
        while remaining > 0 {
            step(0, into: 0)
            pa += MR
            pb += NV * vectorBytes
            remaining -= 1
        }
        for set in 1..<4 { for r in 0..<MR { for j in 0..<NV { acc[0][r][j] += acc[set][r][j] } } }
        return acc[0]
    }
    static func check(kc: Int) -> Bool {
        let nr = NV * Vector.scalarCount
        let a = [Float](repeating: 1, count: MR * kc)
        let b = [Float](repeating: 2, count: nr * kc)
        let acc = a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in
            MR * NV < 8 ? accumulateInSets(kc: kc, a: a.baseAddress!, b: b.baseAddress!) : accumulate(kc: kc, a: a.baseAddress!, b: b.baseAddress!) } }
        for r in 0..<MR { for j in 0..<NV { for l in 0..<Vector.scalarCount where acc[r][j][l] != Float(2 * kc) { return false } } }
        return true
    }
}

let all: [() -> Bool] = [
{ Driver<Tile<14, 8, SIMD16<Float>>>.run(kc: 22) },
{ Driver<Tile<15, 3, SIMD8<Float>>>.run(kc: 18) },
{ Driver<Tile<2, 3, SIMD16<Float>>>.run(kc: 5) },
{ Driver<Tile<15, 1, SIMD8<Float>>>.run(kc: 16) },
{ Driver<Tile<14, 8, SIMD4<Float>>>.run(kc: 22) },
{ Driver<Tile<7, 8, SIMD4<Float>>>.run(kc: 15) },
{ Driver<Tile<4, 5, SIMD8<Float>>>.run(kc: 9) },
{ Driver<Tile<10, 2, SIMD8<Float>>>.run(kc: 12) },
{ Driver<Tile<10, 6, SIMD8<Float>>>.run(kc: 16) },
{ Driver<Tile<2, 5, SIMD4<Float>>>.run(kc: 7) },
{ Driver<Tile<16, 2, SIMD16<Float>>>.run(kc: 18) },
{ Driver<Tile<4, 8, SIMD8<Float>>>.run(kc: 12) },
{ Driver<Tile<13, 3, SIMD16<Float>>>.run(kc: 16) },
{ Driver<Tile<16, 3, SIMD8<Float>>>.run(kc: 19) },
{ Driver<Tile<3, 4, SIMD16<Float>>>.run(kc: 7) },
{ Driver<Tile<16, 1, SIMD16<Float>>>.run(kc: 17) },
{ Driver<Tile<11, 5, SIMD4<Float>>>.run(kc: 16) },
{ Driver<Tile<13, 3, SIMD8<Float>>>.run(kc: 16) },
{ Driver<Tile<4, 6, SIMD4<Float>>>.run(kc: 10) },
{ Driver<Tile<6, 1, SIMD4<Float>>>.run(kc: 7) },
{ Driver<Tile<7, 3, SIMD8<Float>>>.run(kc: 10) },
{ Driver<Tile<8, 6, SIMD8<Float>>>.run(kc: 14) },
{ Driver<Tile<2, 8, SIMD8<Float>>>.run(kc: 10) },
{ Driver<Tile<16, 7, SIMD16<Float>>>.run(kc: 23) },
{ Driver<Tile<6, 7, SIMD8<Float>>>.run(kc: 13) },
{ Driver<Tile<7, 1, SIMD4<Float>>>.run(kc: 8) },
{ Driver<Tile<14, 3, SIMD16<Float>>>.run(kc: 17) },
{ Driver<Tile<4, 2, SIMD4<Float>>>.run(kc: 6) },
{ Driver<Tile<12, 3, SIMD16<Float>>>.run(kc: 15) },
{ Driver<Tile<14, 2, SIMD16<Float>>>.run(kc: 16) },
{ Driver<Tile<16, 6, SIMD8<Float>>>.run(kc: 22) },
{ Driver<Tile<3, 7, SIMD16<Float>>>.run(kc: 10) },
{ Driver<Tile<7, 7, SIMD4<Float>>>.run(kc: 14) },
{ Driver<Tile<7, 4, SIMD8<Float>>>.run(kc: 11) },
{ Driver<Tile<13, 2, SIMD4<Float>>>.run(kc: 15) },
{ Driver<Tile<11, 5, SIMD8<Float>>>.run(kc: 16) },
{ Driver<Tile<8, 3, SIMD16<Float>>>.run(kc: 11) },
{ Driver<Tile<16, 6, SIMD16<Float>>>.run(kc: 22) },
{ Driver<Tile<7, 4, SIMD16<Float>>>.run(kc: 11) },
{ Driver<Tile<4, 5, SIMD16<Float>>>.run(kc: 9) },
{ Driver<Tile<13, 6, SIMD16<Float>>>.run(kc: 19) },
{ Driver<Tile<13, 3, SIMD4<Float>>>.run(kc: 16) },
{ Driver<Tile<6, 1, SIMD8<Float>>>.run(kc: 7) },
{ Driver<Tile<9, 5, SIMD16<Float>>>.run(kc: 14) },
{ Driver<Tile<6, 2, SIMD8<Float>>>.run(kc: 8) },
{ Driver<Tile<14, 1, SIMD8<Float>>>.run(kc: 15) },
{ Driver<Tile<14, 6, SIMD8<Float>>>.run(kc: 20) },
{ Driver<Tile<12, 2, SIMD8<Float>>>.run(kc: 14) },
{ Driver<Tile<16, 5, SIMD4<Float>>>.run(kc: 21) },
{ Driver<Tile<16, 4, SIMD8<Float>>>.run(kc: 20) },
{ Driver<Tile<13, 4, SIMD16<Float>>>.run(kc: 17) },
{ Driver<Tile<6, 8, SIMD16<Float>>>.run(kc: 14) },
{ Driver<Tile<4, 1, SIMD16<Float>>>.run(kc: 5) },
{ Driver<Tile<11, 8, SIMD8<Float>>>.run(kc: 19) },
{ Driver<Tile<16, 6, SIMD4<Float>>>.run(kc: 22) },
{ Driver<Tile<2, 4, SIMD4<Float>>>.run(kc: 6) },
{ Driver<Tile<15, 3, SIMD16<Float>>>.run(kc: 18) },
{ Driver<Tile<6, 3, SIMD4<Float>>>.run(kc: 9) },
{ Driver<Tile<2, 1, SIMD8<Float>>>.run(kc: 3) },
{ Driver<Tile<3, 4, SIMD4<Float>>>.run(kc: 7) },
{ Driver<Tile<3, 1, SIMD4<Float>>>.run(kc: 4) },
{ Driver<Tile<6, 2, SIMD4<Float>>>.run(kc: 8) },
{ Driver<Tile<2, 6, SIMD8<Float>>>.run(kc: 8) },
{ Driver<Tile<7, 5, SIMD8<Float>>>.run(kc: 12) },
{ Driver<Tile<4, 3, SIMD4<Float>>>.run(kc: 7) },
{ Driver<Tile<1, 6, SIMD16<Float>>>.run(kc: 7) },
{ Driver<Tile<7, 5, SIMD4<Float>>>.run(kc: 12) },
{ Driver<Tile<12, 3, SIMD4<Float>>>.run(kc: 15) },
{ Driver<Tile<12, 1, SIMD8<Float>>>.run(kc: 13) },
{ Driver<Tile<16, 2, SIMD8<Float>>>.run(kc: 18) },
{ Driver<Tile<4, 8, SIMD16<Float>>>.run(kc: 12) },
{ Driver<Tile<12, 4, SIMD8<Float>>>.run(kc: 16) },
{ Driver<Tile<16, 2, SIMD4<Float>>>.run(kc: 18) },
{ Driver<Tile<5, 3, SIMD4<Float>>>.run(kc: 8) },
{ Driver<Tile<10, 3, SIMD16<Float>>>.run(kc: 13) },
{ Driver<Tile<14, 7, SIMD16<Float>>>.run(kc: 21) },
{ Driver<Tile<15, 4, SIMD16<Float>>>.run(kc: 19) },
{ Driver<Tile<14, 4, SIMD4<Float>>>.run(kc: 18) },
{ Driver<Tile<13, 8, SIMD8<Float>>>.run(kc: 21) },
{ Driver<Tile<13, 1, SIMD4<Float>>>.run(kc: 14) },
{ Driver<Tile<4, 4, SIMD8<Float>>>.run(kc: 8) },
{ Driver<Tile<14, 1, SIMD16<Float>>>.run(kc: 15) },
{ Driver<Tile<10, 4, SIMD8<Float>>>.run(kc: 14) },
{ Driver<Tile<15, 8, SIMD4<Float>>>.run(kc: 23) },
{ Driver<Tile<14, 6, SIMD4<Float>>>.run(kc: 20) },
{ Driver<Tile<10, 6, SIMD16<Float>>>.run(kc: 16) },
{ Driver<Tile<16, 3, SIMD4<Float>>>.run(kc: 19) },
{ Driver<Tile<5, 5, SIMD8<Float>>>.run(kc: 10) },
{ Driver<Tile<7, 3, SIMD4<Float>>>.run(kc: 10) },
{ Driver<Tile<6, 4, SIMD4<Float>>>.run(kc: 10) },
{ Driver<Tile<4, 7, SIMD16<Float>>>.run(kc: 11) },
{ Driver<Tile<11, 2, SIMD16<Float>>>.run(kc: 13) },
{ Driver<Tile<15, 2, SIMD8<Float>>>.run(kc: 17) },
{ Driver<Tile<1, 4, SIMD16<Float>>>.run(kc: 5) },
{ Driver<Tile<13, 7, SIMD16<Float>>>.run(kc: 20) },
{ Driver<Tile<4, 7, SIMD4<Float>>>.run(kc: 11) },
{ Driver<Tile<11, 1, SIMD4<Float>>>.run(kc: 12) },
{ Driver<Tile<2, 3, SIMD8<Float>>>.run(kc: 5) },
{ Driver<Tile<14, 5, SIMD8<Float>>>.run(kc: 19) },
{ Driver<Tile<9, 4, SIMD4<Float>>>.run(kc: 13) },
{ Driver<Tile<3, 5, SIMD4<Float>>>.run(kc: 8) },
{ Driver<Tile<10, 5, SIMD16<Float>>>.run(kc: 15) },
{ Driver<Tile<9, 4, SIMD16<Float>>>.run(kc: 13) },
{ Driver<Tile<13, 7, SIMD8<Float>>>.run(kc: 20) },
{ Driver<Tile<3, 8, SIMD16<Float>>>.run(kc: 11) },
{ Driver<Tile<9, 3, SIMD4<Float>>>.run(kc: 12) },
{ Driver<Tile<7, 6, SIMD16<Float>>>.run(kc: 13) },
{ Driver<Tile<16, 8, SIMD16<Float>>>.run(kc: 24) },
{ Driver<Tile<2, 4, SIMD16<Float>>>.run(kc: 6) },
{ Driver<Tile<9, 3, SIMD8<Float>>>.run(kc: 12) },
{ Driver<Tile<8, 2, SIMD8<Float>>>.run(kc: 10) },
{ Driver<Tile<15, 1, SIMD16<Float>>>.run(kc: 16) },
{ Driver<Tile<10, 8, SIMD8<Float>>>.run(kc: 18) },
{ Driver<Tile<5, 2, SIMD16<Float>>>.run(kc: 7) },
{ Driver<Tile<4, 1, SIMD8<Float>>>.run(kc: 5) },
{ Driver<Tile<5, 3, SIMD16<Float>>>.run(kc: 8) },
{ Driver<Tile<6, 5, SIMD16<Float>>>.run(kc: 11) },
{ Driver<Tile<9, 8, SIMD16<Float>>>.run(kc: 17) },
{ Driver<Tile<12, 5, SIMD4<Float>>>.run(kc: 17) },
{ Driver<Tile<1, 7, SIMD4<Float>>>.run(kc: 8) },
{ Driver<Tile<15, 3, SIMD4<Float>>>.run(kc: 18) },
{ Driver<Tile<2, 5, SIMD8<Float>>>.run(kc: 7) },
{ Driver<Tile<8, 3, SIMD8<Float>>>.run(kc: 11) },
{ Driver<Tile<8, 4, SIMD16<Float>>>.run(kc: 12) },
{ Driver<Tile<5, 6, SIMD8<Float>>>.run(kc: 11) },
{ Driver<Tile<10, 4, SIMD16<Float>>>.run(kc: 14) },
{ Driver<Tile<8, 6, SIMD4<Float>>>.run(kc: 14) },
{ Driver<Tile<13, 4, SIMD4<Float>>>.run(kc: 17) },
{ Driver<Tile<9, 6, SIMD16<Float>>>.run(kc: 15) },
{ Driver<Tile<8, 5, SIMD16<Float>>>.run(kc: 13) },
{ Driver<Tile<12, 4, SIMD4<Float>>>.run(kc: 16) },
{ Driver<Tile<5, 2, SIMD8<Float>>>.run(kc: 7) },
{ Driver<Tile<2, 1, SIMD4<Float>>>.run(kc: 3) },
{ Driver<Tile<6, 3, SIMD8<Float>>>.run(kc: 9) },
{ Driver<Tile<3, 1, SIMD16<Float>>>.run(kc: 4) },
{ Driver<Tile<9, 1, SIMD8<Float>>>.run(kc: 10) },
{ Driver<Tile<16, 1, SIMD8<Float>>>.run(kc: 17) },
{ Driver<Tile<2, 1, SIMD16<Float>>>.run(kc: 3) },
{ Driver<Tile<13, 6, SIMD4<Float>>>.run(kc: 19) },
{ Driver<Tile<15, 7, SIMD16<Float>>>.run(kc: 22) },
{ Driver<Tile<5, 1, SIMD8<Float>>>.run(kc: 6) },
{ Driver<Tile<14, 5, SIMD16<Float>>>.run(kc: 19) },
{ Driver<Tile<15, 6, SIMD16<Float>>>.run(kc: 21) },
{ Driver<Tile<12, 2, SIMD4<Float>>>.run(kc: 14) },
{ Driver<Tile<14, 5, SIMD4<Float>>>.run(kc: 19) },
{ Driver<Tile<14, 4, SIMD8<Float>>>.run(kc: 18) },
{ Driver<Tile<13, 6, SIMD8<Float>>>.run(kc: 19) },
{ Driver<Tile<12, 8, SIMD16<Float>>>.run(kc: 20) },
{ Driver<Tile<6, 8, SIMD4<Float>>>.run(kc: 14) },
{ Driver<Tile<15, 7, SIMD8<Float>>>.run(kc: 22) },
{ Driver<Tile<2, 4, SIMD8<Float>>>.run(kc: 6) },
{ Driver<Tile<9, 2, SIMD4<Float>>>.run(kc: 11) },
{ Driver<Tile<7, 1, SIMD8<Float>>>.run(kc: 8) },
{ Driver<Tile<5, 4, SIMD16<Float>>>.run(kc: 9) },
{ Driver<Tile<11, 4, SIMD4<Float>>>.run(kc: 15) },
{ Driver<Tile<7, 7, SIMD16<Float>>>.run(kc: 14) },
{ Driver<Tile<10, 4, SIMD4<Float>>>.run(kc: 14) },
{ Driver<Tile<1, 7, SIMD16<Float>>>.run(kc: 8) },
{ Driver<Tile<10, 8, SIMD4<Float>>>.run(kc: 18) },
{ Driver<Tile<4, 3, SIMD8<Float>>>.run(kc: 7) },
{ Driver<Tile<1, 5, SIMD8<Float>>>.run(kc: 6) },
{ Driver<Tile<3, 3, SIMD8<Float>>>.run(kc: 6) },
{ Driver<Tile<16, 8, SIMD8<Float>>>.run(kc: 24) },
{ Driver<Tile<4, 2, SIMD16<Float>>>.run(kc: 6) },
{ Driver<Tile<13, 4, SIMD8<Float>>>.run(kc: 17) },
{ Driver<Tile<9, 7, SIMD8<Float>>>.run(kc: 16) },
{ Driver<Tile<12, 6, SIMD4<Float>>>.run(kc: 18) },
{ Driver<Tile<14, 1, SIMD4<Float>>>.run(kc: 15) },
{ Driver<Tile<7, 2, SIMD8<Float>>>.run(kc: 9) },
{ Driver<Tile<8, 7, SIMD4<Float>>>.run(kc: 15) },
{ Driver<Tile<1, 3, SIMD16<Float>>>.run(kc: 4) },
{ Driver<Tile<7, 8, SIMD16<Float>>>.run(kc: 15) },
{ Driver<Tile<6, 5, SIMD4<Float>>>.run(kc: 11) },
{ Driver<Tile<8, 8, SIMD16<Float>>>.run(kc: 16) },
{ Driver<Tile<12, 6, SIMD8<Float>>>.run(kc: 18) },
{ Driver<Tile<6, 5, SIMD8<Float>>>.run(kc: 11) },
{ Driver<Tile<7, 6, SIMD4<Float>>>.run(kc: 13) },
{ Driver<Tile<3, 3, SIMD4<Float>>>.run(kc: 6) },
{ Driver<Tile<6, 7, SIMD16<Float>>>.run(kc: 13) },
{ Driver<Tile<5, 5, SIMD16<Float>>>.run(kc: 10) },
{ Driver<Tile<8, 2, SIMD4<Float>>>.run(kc: 10) },
{ Driver<Tile<6, 4, SIMD8<Float>>>.run(kc: 10) },
{ Driver<Tile<12, 8, SIMD8<Float>>>.run(kc: 20) },
{ Driver<Tile<5, 7, SIMD8<Float>>>.run(kc: 12) },
{ Driver<Tile<2, 6, SIMD4<Float>>>.run(kc: 8) },
{ Driver<Tile<8, 6, SIMD16<Float>>>.run(kc: 14) },
{ Driver<Tile<1, 4, SIMD8<Float>>>.run(kc: 5) },
{ Driver<Tile<2, 5, SIMD16<Float>>>.run(kc: 7) },
{ Driver<Tile<5, 2, SIMD4<Float>>>.run(kc: 7) },
{ Driver<Tile<10, 7, SIMD4<Float>>>.run(kc: 17) },
{ Driver<Tile<3, 4, SIMD8<Float>>>.run(kc: 7) },
{ Driver<Tile<1, 2, SIMD4<Float>>>.run(kc: 3) },
{ Driver<Tile<15, 5, SIMD4<Float>>>.run(kc: 20) },
{ Driver<Tile<14, 7, SIMD8<Float>>>.run(kc: 21) },
{ Driver<Tile<3, 2, SIMD4<Float>>>.run(kc: 5) },
{ Driver<Tile<16, 7, SIMD4<Float>>>.run(kc: 23) },
{ Driver<Tile<12, 2, SIMD16<Float>>>.run(kc: 14) },
{ Driver<Tile<3, 6, SIMD16<Float>>>.run(kc: 9) },
{ Driver<Tile<2, 2, SIMD8<Float>>>.run(kc: 4) },
{ Driver<Tile<12, 4, SIMD16<Float>>>.run(kc: 16) },
{ Driver<Tile<16, 5, SIMD8<Float>>>.run(kc: 21) },
{ Driver<Tile<16, 5, SIMD16<Float>>>.run(kc: 21) },
{ Driver<Tile<13, 2, SIMD16<Float>>>.run(kc: 15) },
{ Driver<Tile<5, 1, SIMD4<Float>>>.run(kc: 6) },
{ Driver<Tile<4, 3, SIMD16<Float>>>.run(kc: 7) },
{ Driver<Tile<13, 1, SIMD8<Float>>>.run(kc: 14) },
{ Driver<Tile<2, 2, SIMD4<Float>>>.run(kc: 4) },
{ Driver<Tile<6, 1, SIMD16<Float>>>.run(kc: 7) },
{ Driver<Tile<6, 3, SIMD16<Float>>>.run(kc: 9) },
{ Driver<Tile<4, 4, SIMD16<Float>>>.run(kc: 8) },
{ Driver<Tile<8, 4, SIMD4<Float>>>.run(kc: 12) },
{ Driver<Tile<13, 1, SIMD16<Float>>>.run(kc: 14) },
{ Driver<Tile<4, 2, SIMD8<Float>>>.run(kc: 6) },
{ Driver<Tile<12, 7, SIMD8<Float>>>.run(kc: 19) },
{ Driver<Tile<7, 8, SIMD8<Float>>>.run(kc: 15) },
{ Driver<Tile<3, 8, SIMD8<Float>>>.run(kc: 11) },
{ Driver<Tile<8, 1, SIMD8<Float>>>.run(kc: 9) },
{ Driver<Tile<2, 7, SIMD16<Float>>>.run(kc: 9) },
{ Driver<Tile<6, 6, SIMD8<Float>>>.run(kc: 12) },
{ Driver<Tile<11, 2, SIMD8<Float>>>.run(kc: 13) },
{ Driver<Tile<2, 6, SIMD16<Float>>>.run(kc: 8) },
{ Driver<Tile<2, 7, SIMD8<Float>>>.run(kc: 9) },
{ Driver<Tile<14, 2, SIMD8<Float>>>.run(kc: 16) },
{ Driver<Tile<4, 1, SIMD4<Float>>>.run(kc: 5) },
{ Driver<Tile<13, 8, SIMD16<Float>>>.run(kc: 21) },
{ Driver<Tile<2, 8, SIMD4<Float>>>.run(kc: 10) },
{ Driver<Tile<7, 6, SIMD8<Float>>>.run(kc: 13) },
{ Driver<Tile<11, 3, SIMD16<Float>>>.run(kc: 14) },
{ Driver<Tile<15, 4, SIMD4<Float>>>.run(kc: 19) },
{ Driver<Tile<16, 8, SIMD4<Float>>>.run(kc: 24) },
{ Driver<Tile<3, 6, SIMD8<Float>>>.run(kc: 9) },
{ Driver<Tile<3, 8, SIMD4<Float>>>.run(kc: 11) },
{ Driver<Tile<10, 6, SIMD4<Float>>>.run(kc: 16) },
{ Driver<Tile<9, 1, SIMD16<Float>>>.run(kc: 10) },
{ Driver<Tile<1, 2, SIMD8<Float>>>.run(kc: 3) },
{ Driver<Tile<5, 7, SIMD16<Float>>>.run(kc: 12) },
{ Driver<Tile<15, 6, SIMD4<Float>>>.run(kc: 21) },
{ Driver<Tile<10, 3, SIMD8<Float>>>.run(kc: 13) },
{ Driver<Tile<1, 8, SIMD8<Float>>>.run(kc: 9) },
{ Driver<Tile<1, 7, SIMD8<Float>>>.run(kc: 8) },
{ Driver<Tile<8, 2, SIMD16<Float>>>.run(kc: 10) },
{ Driver<Tile<9, 8, SIMD4<Float>>>.run(kc: 17) },
{ Driver<Tile<1, 3, SIMD4<Float>>>.run(kc: 4) },
{ Driver<Tile<3, 6, SIMD4<Float>>>.run(kc: 9) },
{ Driver<Tile<10, 8, SIMD16<Float>>>.run(kc: 18) },
{ Driver<Tile<9, 6, SIMD4<Float>>>.run(kc: 15) },
{ Driver<Tile<10, 1, SIMD16<Float>>>.run(kc: 11) },
{ Driver<Tile<16, 4, SIMD4<Float>>>.run(kc: 20) },
{ Driver<Tile<6, 8, SIMD8<Float>>>.run(kc: 14) },
{ Driver<Tile<9, 5, SIMD8<Float>>>.run(kc: 14) },
{ Driver<Tile<1, 8, SIMD4<Float>>>.run(kc: 9) },
{ Driver<Tile<10, 2, SIMD16<Float>>>.run(kc: 12) },
{ Driver<Tile<2, 8, SIMD16<Float>>>.run(kc: 10) },
{ Driver<Tile<7, 2, SIMD4<Float>>>.run(kc: 9) },
{ Driver<Tile<6, 7, SIMD4<Float>>>.run(kc: 13) },
{ Driver<Tile<4, 7, SIMD8<Float>>>.run(kc: 11) },
{ Driver<Tile<16, 1, SIMD4<Float>>>.run(kc: 17) },
{ Driver<Tile<15, 5, SIMD8<Float>>>.run(kc: 20) },
{ Driver<Tile<10, 7, SIMD8<Float>>>.run(kc: 17) },
{ Driver<Tile<8, 1, SIMD16<Float>>>.run(kc: 9) },
{ Driver<Tile<1, 1, SIMD8<Float>>>.run(kc: 2) },
{ Driver<Tile<8, 4, SIMD8<Float>>>.run(kc: 12) },
{ Driver<Tile<16, 3, SIMD16<Float>>>.run(kc: 19) },
{ Driver<Tile<8, 5, SIMD4<Float>>>.run(kc: 13) },
{ Driver<Tile<11, 3, SIMD4<Float>>>.run(kc: 14) },
{ Driver<Tile<9, 7, SIMD16<Float>>>.run(kc: 16) },
{ Driver<Tile<14, 3, SIMD8<Float>>>.run(kc: 17) },
{ Driver<Tile<12, 8, SIMD4<Float>>>.run(kc: 20) },
{ Driver<Tile<8, 7, SIMD8<Float>>>.run(kc: 15) },
{ Driver<Tile<11, 3, SIMD8<Float>>>.run(kc: 14) },
{ Driver<Tile<2, 2, SIMD16<Float>>>.run(kc: 4) },
{ Driver<Tile<10, 1, SIMD4<Float>>>.run(kc: 11) },
{ Driver<Tile<5, 4, SIMD8<Float>>>.run(kc: 9) },
{ Driver<Tile<12, 1, SIMD16<Float>>>.run(kc: 13) },
{ Driver<Tile<3, 7, SIMD8<Float>>>.run(kc: 10) },
{ Driver<Tile<11, 8, SIMD16<Float>>>.run(kc: 19) },
{ Driver<Tile<9, 2, SIMD16<Float>>>.run(kc: 11) },
{ Driver<Tile<1, 1, SIMD4<Float>>>.run(kc: 2) },
{ Driver<Tile<6, 6, SIMD4<Float>>>.run(kc: 12) },
{ Driver<Tile<15, 1, SIMD4<Float>>>.run(kc: 16) },
{ Driver<Tile<8, 5, SIMD8<Float>>>.run(kc: 13) },
{ Driver<Tile<15, 2, SIMD4<Float>>>.run(kc: 17) },
{ Driver<Tile<11, 8, SIMD4<Float>>>.run(kc: 19) },
{ Driver<Tile<9, 6, SIMD8<Float>>>.run(kc: 15) },
{ Driver<Tile<15, 2, SIMD16<Float>>>.run(kc: 17) },
{ Driver<Tile<13, 7, SIMD4<Float>>>.run(kc: 20) },
{ Driver<Tile<12, 5, SIMD8<Float>>>.run(kc: 17) },
{ Driver<Tile<5, 3, SIMD8<Float>>>.run(kc: 8) },
{ Driver<Tile<1, 3, SIMD8<Float>>>.run(kc: 4) },
{ Driver<Tile<5, 7, SIMD4<Float>>>.run(kc: 12) },
{ Driver<Tile<11, 6, SIMD4<Float>>>.run(kc: 17) },
{ Driver<Tile<4, 5, SIMD4<Float>>>.run(kc: 9) },
{ Driver<Tile<4, 6, SIMD8<Float>>>.run(kc: 10) },
{ Driver<Tile<14, 3, SIMD4<Float>>>.run(kc: 17) },
{ Driver<Tile<7, 5, SIMD16<Float>>>.run(kc: 12) },
{ Driver<Tile<1, 8, SIMD16<Float>>>.run(kc: 9) },
{ Driver<Tile<11, 1, SIMD8<Float>>>.run(kc: 12) },
{ Driver<Tile<15, 8, SIMD16<Float>>>.run(kc: 23) },
{ Driver<Tile<11, 4, SIMD16<Float>>>.run(kc: 15) },
{ Driver<Tile<8, 8, SIMD8<Float>>>.run(kc: 16) },
{ Driver<Tile<14, 2, SIMD4<Float>>>.run(kc: 16) },
{ Driver<Tile<12, 1, SIMD4<Float>>>.run(kc: 13) },
{ Driver<Tile<4, 4, SIMD4<Float>>>.run(kc: 8) },
{ Driver<Tile<3, 3, SIMD16<Float>>>.run(kc: 6) },
{ Driver<Tile<11, 7, SIMD4<Float>>>.run(kc: 18) },
{ Driver<Tile<15, 4, SIMD8<Float>>>.run(kc: 19) },
{ Driver<Tile<2, 7, SIMD4<Float>>>.run(kc: 9) },
{ Driver<Tile<8, 8, SIMD4<Float>>>.run(kc: 16) },
{ Driver<Tile<12, 6, SIMD16<Float>>>.run(kc: 18) },
{ Driver<Tile<8, 7, SIMD16<Float>>>.run(kc: 15) },
{ Driver<Tile<4, 6, SIMD16<Float>>>.run(kc: 10) },
{ Driver<Tile<9, 7, SIMD4<Float>>>.run(kc: 16) },
{ Driver<Tile<9, 5, SIMD4<Float>>>.run(kc: 14) },
{ Driver<Tile<6, 2, SIMD16<Float>>>.run(kc: 8) },
{ Driver<Tile<11, 2, SIMD4<Float>>>.run(kc: 13) },
{ Driver<Tile<1, 6, SIMD4<Float>>>.run(kc: 7) },
{ Driver<Tile<13, 5, SIMD16<Float>>>.run(kc: 18) },
{ Driver<Tile<9, 4, SIMD8<Float>>>.run(kc: 13) },
{ Driver<Tile<11, 7, SIMD8<Float>>>.run(kc: 18) },
{ Driver<Tile<11, 6, SIMD8<Float>>>.run(kc: 17) },
{ Driver<Tile<13, 5, SIMD8<Float>>>.run(kc: 18) },
{ Driver<Tile<7, 1, SIMD16<Float>>>.run(kc: 8) },
{ Driver<Tile<7, 4, SIMD4<Float>>>.run(kc: 11) },
{ Driver<Tile<5, 1, SIMD16<Float>>>.run(kc: 6) },
{ Driver<Tile<11, 7, SIMD16<Float>>>.run(kc: 18) },
{ Driver<Tile<15, 5, SIMD16<Float>>>.run(kc: 20) },
{ Driver<Tile<11, 6, SIMD16<Float>>>.run(kc: 17) },
{ Driver<Tile<8, 1, SIMD4<Float>>>.run(kc: 9) },
{ Driver<Tile<3, 5, SIMD16<Float>>>.run(kc: 8) },
{ Driver<Tile<7, 3, SIMD16<Float>>>.run(kc: 10) },
{ Driver<Tile<14, 4, SIMD16<Float>>>.run(kc: 18) },
{ Driver<Tile<4, 8, SIMD4<Float>>>.run(kc: 12) },
{ Driver<Tile<3, 2, SIMD8<Float>>>.run(kc: 5) },
{ Driver<Tile<14, 6, SIMD16<Float>>>.run(kc: 20) },
{ Driver<Tile<12, 7, SIMD4<Float>>>.run(kc: 19) },
{ Driver<Tile<9, 8, SIMD8<Float>>>.run(kc: 17) },
{ Driver<Tile<15, 8, SIMD8<Float>>>.run(kc: 23) },
{ Driver<Tile<7, 2, SIMD16<Float>>>.run(kc: 9) },
{ Driver<Tile<10, 7, SIMD16<Float>>>.run(kc: 17) },
{ Driver<Tile<5, 6, SIMD16<Float>>>.run(kc: 11) },
{ Driver<Tile<5, 8, SIMD16<Float>>>.run(kc: 13) },
{ Driver<Tile<8, 3, SIMD4<Float>>>.run(kc: 11) },
{ Driver<Tile<5, 8, SIMD4<Float>>>.run(kc: 13) },
{ Driver<Tile<12, 7, SIMD16<Float>>>.run(kc: 19) },
{ Driver<Tile<16, 7, SIMD8<Float>>>.run(kc: 23) },
{ Driver<Tile<10, 3, SIMD4<Float>>>.run(kc: 13) },
{ Driver<Tile<5, 6, SIMD4<Float>>>.run(kc: 11) },
{ Driver<Tile<12, 3, SIMD8<Float>>>.run(kc: 15) },
{ Driver<Tile<16, 4, SIMD16<Float>>>.run(kc: 20) },
{ Driver<Tile<10, 1, SIMD8<Float>>>.run(kc: 11) },
{ Driver<Tile<5, 5, SIMD4<Float>>>.run(kc: 10) },
{ Driver<Tile<15, 6, SIMD8<Float>>>.run(kc: 21) },
{ Driver<Tile<9, 2, SIMD8<Float>>>.run(kc: 11) },
{ Driver<Tile<1, 2, SIMD16<Float>>>.run(kc: 3) },
{ Driver<Tile<12, 5, SIMD16<Float>>>.run(kc: 17) },
{ Driver<Tile<14, 7, SIMD4<Float>>>.run(kc: 21) },
{ Driver<Tile<1, 5, SIMD16<Float>>>.run(kc: 6) },
{ Driver<Tile<1, 4, SIMD4<Float>>>.run(kc: 5) },
{ Driver<Tile<1, 6, SIMD8<Float>>>.run(kc: 7) },
{ Driver<Tile<7, 7, SIMD8<Float>>>.run(kc: 14) },
{ Driver<Tile<3, 2, SIMD16<Float>>>.run(kc: 5) },
{ Driver<Tile<13, 5, SIMD4<Float>>>.run(kc: 18) },
{ Driver<Tile<5, 8, SIMD8<Float>>>.run(kc: 13) },
{ Driver<Tile<6, 6, SIMD16<Float>>>.run(kc: 12) },
{ Driver<Tile<10, 5, SIMD8<Float>>>.run(kc: 15) },
{ Driver<Tile<15, 7, SIMD4<Float>>>.run(kc: 22) },
{ Driver<Tile<1, 1, SIMD16<Float>>>.run(kc: 2) },
{ Driver<Tile<13, 8, SIMD4<Float>>>.run(kc: 21) },
{ Driver<Tile<10, 2, SIMD4<Float>>>.run(kc: 12) },
{ Driver<Tile<9, 3, SIMD16<Float>>>.run(kc: 12) },
{ Driver<Tile<1, 5, SIMD4<Float>>>.run(kc: 6) },
{ Driver<Tile<11, 4, SIMD8<Float>>>.run(kc: 15) },
{ Driver<Tile<3, 1, SIMD8<Float>>>.run(kc: 4) },
{ Driver<Tile<5, 4, SIMD4<Float>>>.run(kc: 9) },
{ Driver<Tile<9, 1, SIMD4<Float>>>.run(kc: 10) },
{ Driver<Tile<14, 8, SIMD8<Float>>>.run(kc: 22) },
{ Driver<Tile<11, 1, SIMD16<Float>>>.run(kc: 12) },
{ Driver<Tile<10, 5, SIMD4<Float>>>.run(kc: 15) },
{ Driver<Tile<11, 5, SIMD16<Float>>>.run(kc: 16) },
{ Driver<Tile<3, 5, SIMD8<Float>>>.run(kc: 8) },
{ Driver<Tile<6, 4, SIMD16<Float>>>.run(kc: 10) },
{ Driver<Tile<2, 3, SIMD4<Float>>>.run(kc: 5) },
{ Driver<Tile<13, 2, SIMD8<Float>>>.run(kc: 15) },
{ Driver<Tile<3, 7, SIMD4<Float>>>.run(kc: 10) }
]
final class Line: Sendable { let count = Atomic<Int>(0); let bad = Atomic<Int>(0) }
let line = Line()
let threads = 4
let done = DispatchGroup()
for t in 0..<threads {
    done.enter()
    Thread.detachNewThread {
        line.count.add(1, ordering: .acquiringAndReleasing)
        while line.count.load(ordering: .acquiring) < threads {}
        var ok = true
        for i in 0..<all.count { ok = all[(i * (t + 1) + t * 17) % all.count]() && ok }
        if !ok { line.bad.add(1, ordering: .relaxed) }
        done.leave()
    }
}
done.wait()
let bad = line.bad.load(ordering: .relaxed)
print(bad == 0 ? "ok" : "BAD \(bad)")
exit(bad == 0 ? 0 : 1)
