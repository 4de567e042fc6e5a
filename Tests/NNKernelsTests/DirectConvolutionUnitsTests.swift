import Testing
@testable import NNKernels

/// Direct convolution's units of tiles (`DirectConvolution.unitTiles`): workers take equal
/// numbers of units, so units must hold equal numbers of tiles (within one), cover every tile
/// once, and hold no more than one pass of a channel chunk's weights is meant to serve.
@Suite("Direct convolution units")
struct DirectConvolutionUnitsTests {
    typealias Convolution = DirectConvolution<8, 2, SIMD16<Float>>

    @Test("as few units as the largest allows, in order, sizes within a tile of each other")
    func unitsOfOneSize() {
        let largest = Convolution.tilesPerUnit
        for tiles in 0...(20 * largest + 3) {
            let units = Convolution.unitCount(tiles: tiles)
            #expect(units == (tiles + largest - 1) / largest)
            var next = 0
            var sizes: [Int] = []
            for unit in 0..<units {
                let range = Convolution.unitTiles(unit, tiles: tiles)
                #expect(range.lowerBound == next, "\(tiles) tiles: unit \(unit) starts at \(range.lowerBound), expected \(next)")
                next = range.upperBound
                sizes.append(range.count)
            }
            #expect(next == tiles, "\(tiles) tiles: units end at \(next)")
            if let smallest = sizes.min(), let biggest = sizes.max() {
                #expect(smallest >= 1 && biggest <= largest && biggest - smallest <= 1, "\(tiles) tiles: units of \(sizes)")
            }
        }
        // res5b_branch2b at batch 8: 49 tiles of 8 pixels, 9 or 10 a unit, not 12 x 4 + 1.
        #expect((0..<5).map { Convolution.unitTiles($0, tiles: 49).count }.sorted() == [9, 10, 10, 10, 10])
    }
}
