import Foundation
import Synchronization

struct Tag<let M: Int> {}
final class Box: @unchecked Sendable { let arrived = Atomic<Int>(0); let bad = Atomic<Int>(0) }
let threads = Int(CommandLine.arguments.dropFirst().first ?? "4") ?? 4

// The kernel's shape of code: nested value-generic InlineArrays of a generic vector, in a box
// captured by a local function, filled by closures and summed.
@inline(never)
func tile<let MR: Int, let NV: Int, V: SIMD>(_ tag: Tag<MR>.Type, _ nv: Tag<NV>.Type, _ v: V.Type, sets: Bool) -> Float where V.Scalar == Float {
    typealias Acc = InlineArray<MR, InlineArray<NV, V>>
    var acc = InlineArray<4, Acc> { _ in Acc { _ in InlineArray { _ in .zero } } }
    var single = Acc { _ in InlineArray { _ in .zero } }
    func step(_ q: Int, into set: Int) {
        var bv = InlineArray<NV, V>(repeating: .zero)
        for j in 0..<NV { bv[j] = V(repeating: Float(j + 1)) }
        for r in 0..<MR {
            let av = V(repeating: Float(q + 1))
            for j in 0..<NV {
                if sets { acc[set][r][j].addProduct(av, bv[j]) } else { single[r][j].addProduct(av, bv[j]) }
            }
        }
    }
    for q in 0..<8 { step(q, into: q % 4) }
    var total: Float = 0
    for set in 0..<4 { for r in 0..<MR { for j in 0..<NV { total += acc[set][r][j].sum() } } }
    for r in 0..<MR { for j in 0..<NV { total += single[r][j].sum() } }
    return total
}

func expected(mr: Int, nv: Int, lanes: Int) -> Float {
    // sum over q of (q+1) * sum over j of (j+1), for every row and lane
    var s: Float = 0
    for q in 0..<8 { for j in 0..<nv { s += Float(q + 1) * Float(j + 1) } }
    return s * Float(mr * lanes)
}

@inline(never)
func round<let M: Int>(_ tag: Tag<M>.Type, box: Box, roundIndex: Int) {
    let group = DispatchGroup()
    box.arrived.store(0, ordering: .relaxed)
    for t in 0..<threads {
        group.enter()
        Thread.detachNewThread {
            box.arrived.add(1, ordering: .acquiringAndReleasing)
            while box.arrived.load(ordering: .acquiring) < threads {}
            var results: [(Float, Float)] = []
            switch t % 4 {
            case 0: results.append((tile(Tag<6>.self, Tag<M>.self, SIMD8<Float>.self, sets: t % 2 == 0), expected(mr: 6, nv: M, lanes: 8)))
            case 1: results.append((tile(Tag<M>.self, Tag<2>.self, SIMD8<Float>.self, sets: true), expected(mr: M, nv: 2, lanes: 8)))
            case 2: results.append((tile(Tag<M>.self, Tag<3>.self, SIMD8<Float>.self, sets: false), expected(mr: M, nv: 3, lanes: 8)))
            default: results.append((tile(Tag<M>.self, Tag<2>.self, SIMD16<Float>.self, sets: true), expected(mr: M, nv: 2, lanes: 16)))
            }
            for (got, want) in results where got != want {
                box.bad.add(1, ordering: .relaxed)
                print("round \(roundIndex) M=\(M) thread \(t): got \(got), expected \(want)")
            }
            group.leave()
        }
    }
    group.wait()
}

let box = Box()

round(Tag<1>.self, box: box, roundIndex: 1)
round(Tag<2>.self, box: box, roundIndex: 2)
round(Tag<3>.self, box: box, roundIndex: 3)
round(Tag<4>.self, box: box, roundIndex: 4)
round(Tag<5>.self, box: box, roundIndex: 5)
round(Tag<6>.self, box: box, roundIndex: 6)
round(Tag<7>.self, box: box, roundIndex: 7)
round(Tag<8>.self, box: box, roundIndex: 8)
round(Tag<9>.self, box: box, roundIndex: 9)
round(Tag<10>.self, box: box, roundIndex: 10)
round(Tag<11>.self, box: box, roundIndex: 11)
round(Tag<12>.self, box: box, roundIndex: 12)
round(Tag<13>.self, box: box, roundIndex: 13)
round(Tag<14>.self, box: box, roundIndex: 14)
round(Tag<15>.self, box: box, roundIndex: 15)
round(Tag<16>.self, box: box, roundIndex: 16)
round(Tag<17>.self, box: box, roundIndex: 17)
round(Tag<18>.self, box: box, roundIndex: 18)
round(Tag<19>.self, box: box, roundIndex: 19)
round(Tag<20>.self, box: box, roundIndex: 20)
round(Tag<21>.self, box: box, roundIndex: 21)
round(Tag<22>.self, box: box, roundIndex: 22)
round(Tag<23>.self, box: box, roundIndex: 23)
round(Tag<24>.self, box: box, roundIndex: 24)
round(Tag<25>.self, box: box, roundIndex: 25)
round(Tag<26>.self, box: box, roundIndex: 26)
round(Tag<27>.self, box: box, roundIndex: 27)
round(Tag<28>.self, box: box, roundIndex: 28)
round(Tag<29>.self, box: box, roundIndex: 29)
round(Tag<30>.self, box: box, roundIndex: 30)
round(Tag<31>.self, box: box, roundIndex: 31)
round(Tag<32>.self, box: box, roundIndex: 32)
round(Tag<33>.self, box: box, roundIndex: 33)
round(Tag<34>.self, box: box, roundIndex: 34)
round(Tag<35>.self, box: box, roundIndex: 35)
round(Tag<36>.self, box: box, roundIndex: 36)
round(Tag<37>.self, box: box, roundIndex: 37)
round(Tag<38>.self, box: box, roundIndex: 38)
round(Tag<39>.self, box: box, roundIndex: 39)
round(Tag<40>.self, box: box, roundIndex: 40)
round(Tag<41>.self, box: box, roundIndex: 41)
round(Tag<42>.self, box: box, roundIndex: 42)
round(Tag<43>.self, box: box, roundIndex: 43)
round(Tag<44>.self, box: box, roundIndex: 44)
round(Tag<45>.self, box: box, roundIndex: 45)
round(Tag<46>.self, box: box, roundIndex: 46)
round(Tag<47>.self, box: box, roundIndex: 47)
round(Tag<48>.self, box: box, roundIndex: 48)
round(Tag<49>.self, box: box, roundIndex: 49)
round(Tag<50>.self, box: box, roundIndex: 50)
round(Tag<51>.self, box: box, roundIndex: 51)
round(Tag<52>.self, box: box, roundIndex: 52)
round(Tag<53>.self, box: box, roundIndex: 53)
round(Tag<54>.self, box: box, roundIndex: 54)
round(Tag<55>.self, box: box, roundIndex: 55)
round(Tag<56>.self, box: box, roundIndex: 56)
round(Tag<57>.self, box: box, roundIndex: 57)
round(Tag<58>.self, box: box, roundIndex: 58)
round(Tag<59>.self, box: box, roundIndex: 59)
round(Tag<60>.self, box: box, roundIndex: 60)
round(Tag<61>.self, box: box, roundIndex: 61)
round(Tag<62>.self, box: box, roundIndex: 62)
round(Tag<63>.self, box: box, roundIndex: 63)
round(Tag<64>.self, box: box, roundIndex: 64)
round(Tag<65>.self, box: box, roundIndex: 65)
round(Tag<66>.self, box: box, roundIndex: 66)
round(Tag<67>.self, box: box, roundIndex: 67)
round(Tag<68>.self, box: box, roundIndex: 68)
round(Tag<69>.self, box: box, roundIndex: 69)
round(Tag<70>.self, box: box, roundIndex: 70)
round(Tag<71>.self, box: box, roundIndex: 71)
round(Tag<72>.self, box: box, roundIndex: 72)
round(Tag<73>.self, box: box, roundIndex: 73)
round(Tag<74>.self, box: box, roundIndex: 74)
round(Tag<75>.self, box: box, roundIndex: 75)
round(Tag<76>.self, box: box, roundIndex: 76)
round(Tag<77>.self, box: box, roundIndex: 77)
round(Tag<78>.self, box: box, roundIndex: 78)
round(Tag<79>.self, box: box, roundIndex: 79)
round(Tag<80>.self, box: box, roundIndex: 80)
round(Tag<81>.self, box: box, roundIndex: 81)
round(Tag<82>.self, box: box, roundIndex: 82)
round(Tag<83>.self, box: box, roundIndex: 83)
round(Tag<84>.self, box: box, roundIndex: 84)
round(Tag<85>.self, box: box, roundIndex: 85)
round(Tag<86>.self, box: box, roundIndex: 86)
round(Tag<87>.self, box: box, roundIndex: 87)
round(Tag<88>.self, box: box, roundIndex: 88)
round(Tag<89>.self, box: box, roundIndex: 89)
round(Tag<90>.self, box: box, roundIndex: 90)
round(Tag<91>.self, box: box, roundIndex: 91)
round(Tag<92>.self, box: box, roundIndex: 92)
round(Tag<93>.self, box: box, roundIndex: 93)
round(Tag<94>.self, box: box, roundIndex: 94)
round(Tag<95>.self, box: box, roundIndex: 95)
round(Tag<96>.self, box: box, roundIndex: 96)
round(Tag<97>.self, box: box, roundIndex: 97)
round(Tag<98>.self, box: box, roundIndex: 98)
round(Tag<99>.self, box: box, roundIndex: 99)
round(Tag<100>.self, box: box, roundIndex: 100)
round(Tag<101>.self, box: box, roundIndex: 101)
round(Tag<102>.self, box: box, roundIndex: 102)
round(Tag<103>.self, box: box, roundIndex: 103)
round(Tag<104>.self, box: box, roundIndex: 104)
round(Tag<105>.self, box: box, roundIndex: 105)
round(Tag<106>.self, box: box, roundIndex: 106)
round(Tag<107>.self, box: box, roundIndex: 107)
round(Tag<108>.self, box: box, roundIndex: 108)
round(Tag<109>.self, box: box, roundIndex: 109)
round(Tag<110>.self, box: box, roundIndex: 110)
round(Tag<111>.self, box: box, roundIndex: 111)
round(Tag<112>.self, box: box, roundIndex: 112)
round(Tag<113>.self, box: box, roundIndex: 113)
round(Tag<114>.self, box: box, roundIndex: 114)
round(Tag<115>.self, box: box, roundIndex: 115)
round(Tag<116>.self, box: box, roundIndex: 116)
round(Tag<117>.self, box: box, roundIndex: 117)
round(Tag<118>.self, box: box, roundIndex: 118)
round(Tag<119>.self, box: box, roundIndex: 119)
round(Tag<120>.self, box: box, roundIndex: 120)
print("bad:", box.bad.load(ordering: .relaxed))
exit(box.bad.load(ordering: .relaxed) > 0 ? 1 : 0)
