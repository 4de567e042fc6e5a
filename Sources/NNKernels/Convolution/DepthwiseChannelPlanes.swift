import _KernelShims

/// Depthwise convolution in NCHW: each channel plane is a 2-D stencil with output columns along
/// the vector lanes. A worker copies the plane into a zero-bordered buffer of its own, so no
/// output column is an edge case, then computes blocks of four vectors of output: four vectors
/// of one row where a row has four or more, two vectors of two rows where it has two or three,
/// one vector of four rows where it has one (MobileNet's 14x14 and 7x7 planes). Four FMA chains
/// either way, none of them on columns past the row; with one row of four vectors a 14-column
/// plane spent half its FMAs on dead lanes.
extension DepthwiseConvolution {
    /// Rows and vectors of output a block computes at once, four accumulators in all.
    protocol PlaneBlock {
        static var rows: Int { get }
        static var vectors: Int { get }
    }
    enum OneRowOfFour: PlaneBlock { static var rows: Int { 1 }; static var vectors: Int { 4 } }
    enum TwoRowsOfTwo: PlaneBlock { static var rows: Int { 2 }; static var vectors: Int { 2 } }
    enum FourRowsOfOne: PlaneBlock { static var rows: Int { 4 }; static var vectors: Int { 1 } }

    /// The column stride as a type, so that strides 1 and 2 are constants in their copies of the
    /// loops (their loads are chosen once, and the block unrolls) and any other is read once.
    protocol ColumnStride { static func of(_ s: ConvolutionShape) -> Int }
    enum StrideOne: ColumnStride { static func of(_ s: ConvolutionShape) -> Int { 1 } }
    enum StrideTwo: ColumnStride { static func of(_ s: ConvolutionShape) -> Int { 2 } }
    enum AnyStride: ColumnStride { static func of(_ s: ConvolutionShape) -> Int { s.strideWidth } }

    /// The window's width as a type: a constant 3 unrolls the taps of MobileNet's windows. Only
    /// at stride 1: unrolled at stride 2 as well (where each tap's columns are a shuffle of two
    /// loads), the 112-to-56 layer ran 1.3 times slower than rolled.
    protocol WindowWidth { static func of(_ s: ConvolutionShape) -> Int }
    enum WidthThree: WindowWidth { static func of(_ s: ConvolutionShape) -> Int { 3 } }
    enum AnyWidth: WindowWidth { static func of(_ s: ConvolutionShape) -> Int { s.kernelWidth } }

    /// The block a plane's width calls for, chosen at run time; `channelPlane` maps it to its
    /// `PlaneBlock` type, so that each block gets its own specialized loops.
    enum PlaneBlockShape { case oneRowOfFour, twoRowsOfTwo, fourRowsOfOne }

    /// The zero-bordered buffer a worker copies each channel plane into: input pixel (iy, ix) at
    /// `(iy + paddingHeight) * rowStride + ix + paddingWidth`, and the block shape for the plane.
    ///
    /// Output vector v of a row starts at column `min(8v, outputWidth - 8)`: the last one ends
    /// at the row's end, overlapping the one before, so every store is a whole vector (a row
    /// narrower than a vector is stored lane by lane). Blocks are placed the same way, the last
    /// of a row (and the last rows of a plane) overlapping the ones before; values stored twice
    /// are the same values. Rows run on past the padded width far enough for every lane of a
    /// vector, live or not, to read inside the buffer.
    struct PlaneGeometry {
        let rowStride: Int
        let bufferCount: Int
        /// Vectors of output columns a row.
        let vectors: Int
        let block: PlaneBlockShape

        init(_ s: ConvolutionShape) {
            let lanes = Vector.scalarCount
            vectors = (s.outputWidth + lanes - 1) / lanes
            // A block never spans more rows than the plane has; a plane too short for the
            // shape its width asks for computes dead vectors of one row instead.
            switch (vectors, s.outputHeight) {
            case (4..., _), (_, ..<2): block = .oneRowOfFour
            case (2...3, _), (_, 2...3): block = .twoRowsOfTwo
            default: block = .fourRowsOfOne
            }
            // Stride 2 reads sixteen columns from 2c + kx * dw, with c <= max(0, outputWidth - 8);
            // other strides reach column (c + 7) * sw + (kw - 1) * dw.
            let widest = max(lanes, s.outputWidth)
            let reach = widest * max(2, s.strideWidth) + (s.kernelWidth - 1) * s.dilationWidth
            rowStride = max(s.inputWidth + 2 * s.paddingWidth, reach)
            bufferCount = (s.inputHeight + 2 * s.paddingHeight) * rowStride
        }
    }

    /// One channel plane (image n, channel c as `plane = n * C + c`): copied into the bordered
    /// buffer, then its output rows in blocks.
    func channelPlane<F: VectorFunction>(_ plane: Int, _ g: PlaneGeometry, buffer: UnsafeMutablePointer<Float>,
                                         x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, _ f: F) {
        let height = s.inputHeight, width = s.inputWidth
        let source = x + plane * height * width
        for iy in 0..<height {
            (buffer + (iy + s.paddingHeight) * g.rowStride + s.paddingWidth).update(from: source + iy * width, count: width)
        }
        @inline(__always) func rows<St: ColumnStride, W: WindowWidth>(_: St.Type, _: W.Type) {
            switch g.block {
            case .oneRowOfFour: planeRows(St.self, W.self, OneRowOfFour.self, plane, g, buffer: buffer, y: y, f)
            case .twoRowsOfTwo: planeRows(St.self, W.self, TwoRowsOfTwo.self, plane, g, buffer: buffer, y: y, f)
            case .fourRowsOfOne: planeRows(St.self, W.self, FourRowsOfOne.self, plane, g, buffer: buffer, y: y, f)
            }
        }
        switch (s.strideWidth, s.kernelWidth) {
        case (1, 3): rows(StrideOne.self, WidthThree.self)
        case (1, _): rows(StrideOne.self, AnyWidth.self)
        case (2, _): rows(StrideTwo.self, AnyWidth.self)
        default: rows(AnyStride.self, AnyWidth.self)
        }
    }

    /// Every output row of one plane from its bordered copy, a block of `B.rows x B.vectors` at a
    /// time. Out of line and specialized per stride, window width and block, so each copy's
    /// accumulators stay in registers (one function taking the stride as an argument kept them
    /// in memory).
    @inline(never)
    func planeRows<St: ColumnStride, W: WindowWidth, B: PlaneBlock, F: VectorFunction>(
        _: St.Type, _: W.Type, _: B.Type, _ plane: Int, _ g: PlaneGeometry, buffer: UnsafeMutablePointer<Float>,
        y: UnsafeMutablePointer<Float>, _ f: F
    ) {
        let stride = St.of(s), width = W.of(s)
        let channel = plane % s.inputChannels
        let outputHeight = s.outputHeight, outputWidth = s.outputWidth
        let lanes = Vector.scalarCount
        let lastColumn = max(0, outputWidth - lanes)
        let biasV = Vector(repeating: bias.pointer[channel])
        let tapWeights = weights.pointer + channel
        let out = y + plane * outputHeight * outputWidth
        let raw = UnsafeRawPointer(buffer)
        var nextRow = 0
        while nextRow < outputHeight {
            let firstRow = max(0, min(nextRow, outputHeight - B.rows))
            // Where each row of the block starts in the buffer, computed once for all taps.
            var rowBases = InlineArray<4, Int>(repeating: 0)
            for r in 0..<B.rows { rowBases[r] = (firstRow + r) * s.strideHeight * g.rowStride }
            var next = 0
            while next < g.vectors {
                let first = max(0, min(next, g.vectors - B.vectors))
                var columns = InlineArray<4, Int>(repeating: 0)
                for i in 0..<B.vectors { columns[i] = min((first + i) * lanes, lastColumn) }
                var acc = InlineArray<4, Vector>(repeating: biasV)
                for ky in 0..<s.kernelHeight {
                    for kx in 0..<width {
                        let w = Vector(repeating: tapWeights[(ky * width + kx) * paddedChannels])
                        let tap = ky * s.dilationHeight * g.rowStride + kx * s.dilationWidth
                        for r in 0..<B.rows {
                            for i in 0..<B.vectors {
                                // Eight input columns for the eight output columns from columns[i].
                                let at = rowBases[r] + tap + columns[i] * stride
                                let input: Vector
                                switch stride {
                                case 1:
                                    input = raw.loadUnaligned(fromByteOffset: at * 4, as: Vector.self)
                                case 2:
                                    input = nnk_even_lanes16(raw.loadUnaligned(fromByteOffset: at * 4, as: Vector.self),
                                                             raw.loadUnaligned(fromByteOffset: (at + lanes) * 4, as: Vector.self))
                                default:
                                    var gathered = Vector.zero
                                    for lane in 0..<lanes { gathered[lane] = buffer[at + lane * stride] }
                                    input = gathered
                                }
                                acc[r * B.vectors + i].addProduct(input, w)
                            }
                        }
                    }
                }
                for r in 0..<B.rows {
                    let row = out + (firstRow + r) * outputWidth
                    for i in 0..<B.vectors where first + i < g.vectors {
                        let result = f(acc[r * B.vectors + i])
                        if outputWidth >= lanes {
                            UnsafeMutableRawPointer(row + columns[i]).storeBytes(of: result, as: Vector.self)
                        } else {
                            for lane in 0..<outputWidth { row[lane] = result[lane] }
                        }
                    }
                }
                next = first + B.vectors
            }
            nextRow = firstRow + B.rows
        }
    }
}
