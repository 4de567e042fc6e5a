/// An output pixel as (image, row, column), stepped forward without dividing.
struct PixelPosition {
    var n: Int, oy: Int, ox: Int

    init(_ pixel: Int, outputHeight: Int, outputWidth: Int) {
        let plane = outputHeight * outputWidth
        n = pixel / plane
        oy = pixel % plane / outputWidth
        ox = pixel % outputWidth
    }

    @inline(__always)
    mutating func advance(by count: Int, outputHeight: Int, outputWidth: Int) {
        ox += count
        while ox >= outputWidth {
            ox -= outputWidth
            oy += 1
            if oy == outputHeight { oy = 0; n += 1 }
        }
    }
}
