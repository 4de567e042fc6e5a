import _KernelShims

/// Out-of-place transpose of a row-major matrix: `dst[j * ldd + i] = src[i * lds + j]`.
/// Converting an image between NCHW and channels-last is this, with pixels and channels as the
/// two dimensions. Element by element, every store lands a plane away from the last one; in
/// 8 x 8 blocks, each row is one load and each column one store (`nnk_transpose8x8`).
enum MatrixTranspose {
    static func copy(rows: Int, columns: Int, from src: UnsafePointer<Float>, lds: Int,
                     to dst: UnsafeMutablePointer<Float>, ldd: Int) {
        var i = 0
        while i + 8 <= rows {
            var j = 0
            while j + 8 <= columns {
                nnk_transpose8x8(src + i * lds + j, lds, dst + j * ldd + i, ldd)
                j += 8
            }
            for column in j..<columns {
                for row in i..<(i + 8) { dst[column * ldd + row] = src[row * lds + column] }
            }
            i += 8
        }
        for row in i..<rows {
            for column in 0..<columns { dst[column * ldd + row] = src[row * lds + column] }
        }
    }
}
