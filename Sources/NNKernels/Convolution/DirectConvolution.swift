/// Direct convolution on the GEMM register tile: MR output pixels along a row times NR output
/// channels, accumulated over every (ky, kx, c) tap straight from a zero-padded channels-last
/// copy of the input (the "indirect GEMM" of XNNPACK, with the rows' addresses computed instead
/// of looked up). No im2col buffer; the tile is stored through the GEMM microkernel's epilogue.
///
/// Weights are blocked once into `[group][channel block][channel chunk][ky][kx][c][NR]`, zero
/// past the group's output channels; each chunk of input channels (`DirectConvolutionBlocking`:
/// as many as fit the cache the GEMM tile streams its panels from, often all of them) is one
/// pass over a row of output tiles, whose partial sums wait in a row buffer between passes.
/// An NCHW caller pays, inside each call, for converting its input to the padded channels-last
/// copy and the result back to NCHW.
///
/// The tile is a GEMM microkernel's (MR pixels, NV vectors of output channels, MR at most 8),
/// chosen with it from `GemmMicrokernels` (`GemmMicrokernelDescriptor.directConvolution`), so
/// an AVX-512 host runs sixteen-lane tiles here as it does in GEMM.
final class DirectConvolution<let MR: Int, let NV: Int, Vector: SIMD>: @unchecked Sendable
where Vector.Scalar == Float {
    static var mr: Int { MR }
    static var nr: Int { NV * Vector.scalarCount }
    /// Tiles that share one pass of a channel chunk's weights (about 100 pixels).
    static var tilesPerUnit: Int { max(1, 96 / MR) }

    /// Unit `unit` of `tiles` tiles cut into as few units as `tilesPerUnit` allows, all of one
    /// size within a tile. Workers get equal numbers of work items, so items must be equal work.
    /// ResNet-50's res5b_branch2b at batch 8 is 49 tiles of 8 pixels: as 12 + 12 + 12 + 12 + 1
    /// tiles, one of two workers got 30 of them, and two threads took 0.62 times one thread's
    /// time instead of about half (results/direct-conv-equal-units-20261205).
    static func unitTiles(_ unit: Int, tiles: Int) -> Range<Int> {
        let units = max(1, unitCount(tiles: tiles))
        return unit * tiles / units..<(unit + 1) * tiles / units
    }

    /// How many units `tiles` tiles make (`unitTiles`).
    static func unitCount(tiles: Int) -> Int { (tiles + tilesPerUnit - 1) / tilesPerUnit }

    typealias Tile = SIMDGemmMicrokernel<MR, NV, Vector>

    let s: ConvolutionShape
    let channelBlocks: Int
    let channelChunk: Int
    let packed: AlignedFloatBuffer
    let paddedBias: AlignedFloatBuffer?
    let paddedHeight: Int, paddedWidth: Int
    /// For layers with few channels per group: the offset of every (tap, channel) step from a
    /// pixel's origin, so the whole window is one flat loop (no per-tap setup).
    let stepOffsets: UnsafeMutablePointer<Int>?
    /// For the same layers: the input offset of every output pixel's window origin in one
    /// image, then MR more that run on into the next images, so a tile's MR row origins are MR
    /// consecutive entries, even for a tile that crosses a row or an image.
    let pixelOffsets: UnsafeMutablePointer<Int>?
    static var flatWindowChannels: Int { 4 }
    /// Depthwise layers skip the GEMM tile (one live lane of sixteen) and the padded copy for loops
    /// of their own over the caller's tensors.
    let depthwise: DepthwiseConvolution?

    init(_ s: ConvolutionShape, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?, residency: PanelResidency) {
        TileLayoutWarmUp.ensure()
        self.s = s
        let nr = Self.nr, cg = s.inputChannelsPerGroup, kg = s.outputChannelsPerGroup
        let taps = s.kernelHeight * s.kernelWidth
        channelBlocks = (kg + nr - 1) / nr
        // Input channels per pass: the weights of one pass stay in the cache where the GEMM
        // tile keeps its micro-panels, while a whole output row of tiles reuses them.
        channelChunk = DirectConvolutionBlocking.channelChunk(channels: cg, taps: taps, nr: nr, residency: residency,
                                                              topology: Topology.current)
        paddedHeight = s.inputHeight + 2 * s.paddingHeight
        paddedWidth = s.inputWidth + 2 * s.paddingWidth
        depthwise = DepthwiseConvolution.applies(to: s) ? DepthwiseConvolution(s, weights: weights, bias: bias) : nil
        // The tile's step offsets, blocked weights and padded bias; a depthwise layer uses none of them.
        let tiled = depthwise == nil
        if tiled && cg <= Self.flatWindowChannels && channelChunk == cg {
            let offsets = UnsafeMutablePointer<Int>.allocate(capacity: taps * cg)
            for tap in 0..<taps {
                let tapOffset = ((tap / s.kernelWidth) * s.dilationHeight * paddedWidth + (tap % s.kernelWidth) * s.dilationWidth)
                    * s.inputChannels
                for c in 0..<cg { offsets[tap * cg + c] = tapOffset + c }
            }
            stepOffsets = offsets
            let pixels = s.outputHeight * s.outputWidth
            let image = paddedHeight * paddedWidth * s.inputChannels
            let table = UnsafeMutablePointer<Int>.allocate(capacity: pixels + Self.mr)
            for p in 0..<(pixels + Self.mr) {
                let q = p % pixels, oy = q / s.outputWidth, ox = q % s.outputWidth
                table[p] = p / pixels * image + (oy * s.strideHeight * paddedWidth + ox * s.strideWidth) * s.inputChannels
            }
            pixelOffsets = table
        } else {
            stepOffsets = nil
            pixelOffsets = nil
        }
        packed = AlignedFloatBuffer(zeroedCount: tiled ? s.groups * channelBlocks * taps * cg * nr : 0)
        for group in 0..<(tiled ? s.groups : 0) {
            for oc in 0..<kg {
                let block = oc / nr, lane = oc % nr
                for tap in 0..<taps {
                    for c in 0..<cg {
                        let chunkStart = c / channelChunk * channelChunk
                        let chunkLength = min(channelChunk, cg - chunkStart)
                        let offset = (group * channelBlocks + block) * taps * cg + chunkStart * taps + tap * chunkLength + (c - chunkStart)
                        packed.pointer[offset * nr + lane] = weights[((group * kg + oc) * cg + c) * taps + tap]
                    }
                }
            }
        }
        if let bias, tiled {
            let padded = AlignedFloatBuffer(zeroedCount: s.groups * channelBlocks * nr)
            for group in 0..<s.groups {
                (padded.pointer + group * channelBlocks * nr).update(from: bias + group * kg, count: kg)
            }
            paddedBias = padded
        } else {
            paddedBias = nil
        }
    }

    deinit {
        depthwise?.deallocate()
        stepOffsets?.deallocate()
        pixelOffsets?.deallocate()
        packed.deallocate()
        paddedBias?.deallocate()
    }

    var needsPaddedCopy: Bool { s.paddingHeight > 0 || s.paddingWidth > 0 }

    /// Floats of work space: the padded channels-last input (unless an unpadded NHWC input can be
    /// read as it is) and, for NCHW, the channels-last output.
    func workspaceCount(layout: TensorLayout) -> Int {
        // Depthwise layers read and write the caller's tensors where they lie.
        if depthwise != nil { return 0 }
        let input = layout == .nchw || needsPaddedCopy ? s.batch * paddedHeight * paddedWidth * s.inputChannels : 0
        return input + (layout == .nchw ? s.outputCount : 0)
    }

    func run(layout: TensorLayout, input: UnsafePointer<Float>, activation: Activation,
             output: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>, threads: Int) {
        let workers = Tuning.workers(requested: threads, flops: s.flops, minimumFlopsPerExtraWorker: Tuning.minimumFlopsPerExtraWorker)
        if let depthwise {
            depthwise.run(layout: layout, x: input, y: output, activation: activation, workers: workers)
            return
        }
        let copyInput = layout == .nchw || needsPaddedCopy
        let paddedCount = copyInput ? s.batch * paddedHeight * paddedWidth * s.inputChannels : 0
        if copyInput { padChannelsLast(layout: layout, input: input, into: workspace, workers: workers) }
        let x = copyInput ? UnsafePointer(workspace) : input
        let y = layout == .nhwc ? output : workspace + paddedCount
        // Work: runs of up to `tilesPerUnit` tiles of MR consecutive output pixels, counted
        // across rows and images, so narrow images and small batches waste no tile rows.
        let tilesTotal = (s.batch * s.outputHeight * s.outputWidth + Self.mr - 1) / Self.mr
        let units = Self.unitCount(tiles: tilesTotal)
        // Work items: a unit of tiles times one block of NR output channels (of one group), so
        // small images with many channels still give every worker a share.
        let columnBlocks = s.groups * channelBlocks
        let items = units * columnBlocks
        ParallelRegion.run(workers: workers) { worker in
            // A scratch tile, then the partial sums of one unit's tiles.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: (1 + Self.tilesPerUnit) * Self.mr * Self.nr) { scratch in
                let tile = scratch.baseAddress!
                for item in ParallelRegion.share(of: items, worker: worker, workers: workers) {
                    outputTiles(Self.unitTiles(item / columnBlocks, tiles: tilesTotal), columnBlock: item % columnBlocks, x: x, y: y,
                                activation: activation, tile: tile, partial: tile + Self.mr * Self.nr)
                }
            }
        }
        if layout == .nchw { channelsLastToNCHW(UnsafePointer(y), output, workers: workers) }
    }

    /// Tiles `tiles` of one block of NR output channels (`columnBlock` counts blocks across
    /// groups): tile t covers output pixels t * MR ..< (t + 1) * MR in (n, oy, ox) order.
    private func outputTiles(_ tiles: Range<Int>, columnBlock: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                             activation: Activation, tile: UnsafeMutablePointer<Float>, partial: UnsafeMutablePointer<Float>) {
        let mr = Self.mr, nr = Self.nr
        let cg = s.inputChannelsPerGroup, kg = s.outputChannelsPerGroup
        let taps = s.kernelHeight * s.kernelWidth
        // Output sizes are computed properties (a division each): read once.
        let outputHeight = s.outputHeight, outputWidth = s.outputWidth
        let pixels = s.batch * outputHeight * outputWidth
        let group = columnBlock / channelBlocks, block = columnBlock % channelBlocks
        let liveColumns = min(nr, kg - block * nr)
        let weights = UnsafePointer(packed.pointer + columnBlock * taps * cg * nr)
        let epilogue = TileEpilogue(bias: paddedBias.map { UnsafePointer($0.pointer + columnBlock * nr) }, activation: activation)
        if let stepOffsets, let pixelOffsets {
            flatWindowTiles(tiles, offsets: stepOffsets, pixelOffsets: pixelOffsets, x: x, channelBase: group * cg, weights: weights,
                            y: y + group * kg + block * nr, liveColumns: liveColumns, epilogue: epilogue, scratch: tile)
            return
        }
        for chunkStart in stride(from: 0, to: cg, by: channelChunk) {
            let chunkLength = min(channelChunk, cg - chunkStart)
            let isFirst = chunkStart == 0, isLast = chunkStart + chunkLength == cg
            let chunkWeights = weights + chunkStart * taps * nr
            // The first tile's pixel position is divided out once, then stepped MR pixels a
            // tile: with few channels per tap (LeNet's one) a division per tile would cost as
            // much as the tile's FMAs.
            var position = PixelPosition(tiles.lowerBound * mr, outputHeight: outputHeight, outputWidth: outputWidth)
            for t in tiles {
                let firstPixel = t * mr
                let liveRows = min(mr, pixels - firstPixel)
                let rows = rowPointers(x, from: position, liveRows: liveRows, channelBase: group * cg + chunkStart,
                                       outputHeight: outputHeight, outputWidth: outputWidth)
                position.advance(by: mr, outputHeight: outputHeight, outputWidth: outputWidth)
                let partialTile = UnsafeMutableRawPointer(partial + (t - tiles.lowerBound) * mr * nr)
                let destination = y + firstPixel * s.outputChannels + group * kg + block * nr
                @inline(__always) func run<let R: Int>(_ tileRows: InlineArray<R, UnsafePointer<Float>>) {
                    computeTile(rows: tileRows, chunkLength: chunkLength, weights: chunkWeights, partial: partialTile,
                                isFirst: isFirst, isLast: isLast, destination: destination, liveRows: liveRows,
                                liveColumns: liveColumns, scratch: tile, epilogue: epilogue)
                }
                // The batch's last tile, when it holds fewer pixels than MR, runs as a tile of
                // just those rows (a 7 x 7 image at batch 1 is 6 x 8 + 1 pixels, 14 x 14 is
                // 24 x 8 + 4): padded to MR it took a whole tile's time. Fewer rows of NV vectors
                // are fewer FMA chains a step, which take fewer cycles than MR rows on every
                // tile here (one and two rows timed on the AVX-512 tile, 3 to 7 not separately).
                switch liveRows {
                case 1 where mr > 1: run(InlineArray<1, UnsafePointer<Float>> { rows[$0] })
                case 2 where mr > 2: run(InlineArray<2, UnsafePointer<Float>> { rows[$0] })
                case 3 where mr > 3: run(InlineArray<3, UnsafePointer<Float>> { rows[$0] })
                case 4 where mr > 4: run(InlineArray<4, UnsafePointer<Float>> { rows[$0] })
                case 5 where mr > 5: run(InlineArray<5, UnsafePointer<Float>> { rows[$0] })
                case 6 where mr > 6: run(InlineArray<6, UnsafePointer<Float>> { rows[$0] })
                case 7 where mr > 7: run(InlineArray<7, UnsafePointer<Float>> { rows[$0] })
                default: run(rows)
                }
            }
        }
    }

    /// One tile's pass over a channel chunk, from zeros or the partial sums to the partial sums
    /// or the output. Out of line and on its own, so the accumulators stay in registers through
    /// the steps; the epilogue is its own function with alpha 1 and beta 0 built in (see
    /// `finishOverwriting`): this function is too large for the compiler to inline it, and
    /// testing alpha and beta per vector cost as much as a short tile's FMAs.
    /// R is MR, or the live rows of a short last tile.
    @inline(never)
    private func computeTile<let R: Int>(rows: InlineArray<R, UnsafePointer<Float>>, chunkLength: Int, weights: UnsafePointer<Float>,
                                         partial: UnsafeMutableRawPointer, isFirst: Bool, isLast: Bool,
                                         destination: UnsafeMutablePointer<Float>, liveRows: Int, liveColumns: Int,
                                         scratch: UnsafeMutablePointer<Float>, epilogue: TileEpilogue) {
        typealias Rows = SIMDGemmMicrokernel<R, NV, Vector>
        let nr = Self.nr
        var acc: Rows.Accumulators = isFirst ? Rows.Accumulators { _ in InlineArray { _ in .zero } } : Self.load(partial)
        // A tile that covers whole rows of the block is stored in place; any other goes
        // through the scratch tile and is copied out.
        let full = liveRows == R && liveColumns == nr
        // The output rows are asked for at the start of the last pass, so that their lines
        // (at batch 8 past L2, and first written here) arrive while the taps run rather than
        // stall the stores: 0.93 to 0.97x the time on ResNet-50's layers at batch 8.
        if isLast && full { Rows.prefetchTileOfC(destination, ldc: s.outputChannels) }
        var w = weights
        for ky in 0..<s.kernelHeight {
            for kx in 0..<s.kernelWidth {
                let tapOffset = (ky * s.dilationHeight * paddedWidth + kx * s.dilationWidth) * s.inputChannels
                for c in 0..<chunkLength {
                    Self.multiplyAdd(&acc, rows: rows, offset: tapOffset + c, weights: w, step: c)
                }
                w += chunkLength * nr
            }
        }
        if !isLast {
            Self.store(acc, partial)
            return
        }
        Rows.finishOverwriting(acc, c: full ? destination : scratch, ldc: full ? s.outputChannels : nr, epilogue: epilogue)
        if !full {
            for r in 0..<liveRows {
                (destination + r * s.outputChannels).update(from: scratch + r * nr, count: liveColumns)
            }
        }
    }

    /// Tiles `tiles` of one block of NR output channels for a layer with few channels per group
    /// (LeNet's one), in one call: each tile's whole window is one loop over the precomputed
    /// (tap, channel) offsets, and its epilogue is inlined with alpha 1 and beta 0. With nine
    /// steps a tile, a call per tile and the tile passed through memory to an out-of-line
    /// epilogue cost as much as the FMAs. `y` points at the block's first column of pixel 0.
    @inline(never)
    private func flatWindowTiles(_ tiles: Range<Int>, offsets: UnsafePointer<Int>, pixelOffsets: UnsafePointer<Int>,
                                 x: UnsafePointer<Float>, channelBase: Int, weights: UnsafePointer<Float>,
                                 y: UnsafeMutablePointer<Float>, liveColumns: Int, epilogue: TileEpilogue,
                                 scratch: UnsafeMutablePointer<Float>) {
        let mr = Self.mr, nr = Self.nr
        let steps = s.kernelHeight * s.kernelWidth * s.inputChannelsPerGroup
        let imagePixels = s.outputHeight * s.outputWidth
        let pixels = s.batch * imagePixels
        let image = paddedHeight * paddedWidth * s.inputChannels
        let ldy = s.outputChannels
        // The first tile's image and pixel within it, divided out once, then stepped MR a tile.
        var n = tiles.lowerBound * mr / imagePixels
        var q = tiles.lowerBound * mr - n * imagePixels
        for t in tiles {
            let firstPixel = t * mr
            let liveRows = min(mr, pixels - firstPixel)
            let origin = x + n * image + channelBase
            let destination = y + firstPixel * ldy
            if liveRows == mr && liveColumns == nr {
                Self.flatWindowTile(origin: origin, pixelOffsets: pixelOffsets + q, offsets: offsets, steps: steps,
                                    weights: weights, c: destination, ldc: ldy, epilogue: epilogue)
            } else {
                // A block past the last output channel, or the batch's last tile, through the
                // scratch tile; there the rows past the last live one repeat it, so that no
                // read runs on past the last image.
                withUnsafeTemporaryAllocation(of: Int.self, capacity: mr) { rowOffsets in
                    for r in 0..<mr { rowOffsets[r] = pixelOffsets[q + min(r, liveRows - 1)] }
                    Self.flatWindowTile(origin: origin, pixelOffsets: rowOffsets.baseAddress!, offsets: offsets, steps: steps,
                                        weights: weights, c: scratch, ldc: nr, epilogue: epilogue)
                }
                for r in 0..<liveRows { (destination + r * ldy).update(from: scratch + r * nr, count: liveColumns) }
            }
            q += mr
            while q >= imagePixels {
                q -= imagePixels
                n += 1
            }
        }
    }

    /// One tile of `flatWindowTiles`, small enough on its own that the epilogue is inlined
    /// (in a larger function the compiler declines to, and the tile goes through memory). Row
    /// r reads the window at `origin + pixelOffsets[r]`. The sums start from the bias, as
    /// XNNPACK's do, so the epilogue has only the activation left: with nine steps a tile, the
    /// bias adds were a tenth of the vector work.
    @inline(never)
    private static func flatWindowTile(origin: UnsafePointer<Float>, pixelOffsets: UnsafePointer<Int>, offsets: UnsafePointer<Int>,
                                       steps: Int, weights: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
                                       epilogue: TileEpilogue) {
        let rows = InlineArray<MR, UnsafePointer<Float>> { origin + pixelOffsets[$0] }
        var start = InlineArray<NV, Vector>(repeating: .zero)
        if let bias = epilogue.bias {
            let raw = UnsafeRawPointer(bias), vectorBytes = Vector.scalarCount * MemoryLayout<Float>.stride
            for j in 0..<NV { start[j] = raw.loadUnaligned(fromByteOffset: j * vectorBytes, as: Vector.self) }
        }
        var acc = Tile.Accumulators { _ in start }
        for step in 0..<steps {
            multiplyAdd(&acc, rows: rows, offset: offsets[step], weights: weights, step: step)
        }
        Tile.finish(acc, c: c, ldc: ldc, alpha: 1, beta: 0, epilogue: TileEpilogue(bias: nil, activation: epilogue.activation))
    }

    /// The input origin of each of the tile's MR pixels, at channel `channelBase`, from the
    /// position of its first pixel; pixels past the last live one repeat it (valid reads,
    /// discarded results).
    @inline(__always)
    private func rowPointers(_ x: UnsafePointer<Float>, from first: PixelPosition, liveRows: Int, channelBase: Int,
                             outputHeight: Int, outputWidth: Int) -> InlineArray<MR, UnsafePointer<Float>> {
        var rows = InlineArray<MR, UnsafePointer<Float>>(repeating: x)
        if first.ox + Self.mr <= outputWidth {
            // All MR pixels in one output row (most tiles): one origin, then a fixed step.
            let origin = x + ((first.n * paddedHeight + first.oy * s.strideHeight) * paddedWidth + first.ox * s.strideWidth)
                * s.inputChannels + channelBase
            let step = s.strideWidth * s.inputChannels
            for r in 0..<MR { rows[r] = origin + r * step }
            return rows
        }
        var position = first
        for r in 0..<MR {
            rows[r] = x + ((position.n * paddedHeight + position.oy * s.strideHeight) * paddedWidth + position.ox * s.strideWidth)
                * s.inputChannels + channelBase
            if r + 1 < liveRows { position.advance(by: 1, outputHeight: outputHeight, outputWidth: outputWidth) }
        }
        return rows
    }

    /// One k step: NV vectors of weights (the `step`-th NR-wide row of `weights`) times the
    /// input value at `offset` of each of the R pixels.
    @inline(__always)
    private static func multiplyAdd<let R: Int>(_ acc: inout SIMDGemmMicrokernel<R, NV, Vector>.Accumulators,
                                                rows: InlineArray<R, UnsafePointer<Float>>, offset: Int,
                                                weights: UnsafePointer<Float>, step: Int) {
        let raw = UnsafeRawPointer(weights)
        let vectorBytes = Vector.scalarCount * MemoryLayout<Float>.stride
        var b = InlineArray<NV, Vector>(repeating: .zero)
        for j in 0..<NV { b[j] = raw.loadUnaligned(fromByteOffset: (step * NV + j) * vectorBytes, as: Vector.self) }
        for r in 0..<R {
            let a = Vector(repeating: rows[r][offset])
            for j in 0..<NV { acc[r][j].addProduct(a, b[j]) }
        }
    }

    /// Partial sums of a tile between channel chunks, R x NV vectors in a row.
    @inline(__always)
    private static func load<let R: Int>(_ partial: UnsafeMutableRawPointer) -> SIMDGemmMicrokernel<R, NV, Vector>.Accumulators {
        let vectorBytes = Vector.scalarCount * MemoryLayout<Float>.stride
        var acc = SIMDGemmMicrokernel<R, NV, Vector>.Accumulators { _ in InlineArray { _ in .zero } }
        for r in 0..<R {
            for j in 0..<NV { acc[r][j] = partial.loadUnaligned(fromByteOffset: (r * NV + j) * vectorBytes, as: Vector.self) }
        }
        return acc
    }

    @inline(__always)
    private static func store<let R: Int>(_ acc: SIMDGemmMicrokernel<R, NV, Vector>.Accumulators, _ partial: UnsafeMutableRawPointer) {
        let vectorBytes = Vector.scalarCount * MemoryLayout<Float>.stride
        for r in 0..<R {
            for j in 0..<NV { partial.storeBytes(of: acc[r][j], toByteOffset: (r * NV + j) * vectorBytes, as: Vector.self) }
        }
    }

    /// The input as `[n][paddedHeight][paddedWidth][C]` with zeros around, images split among workers.
    private func padChannelsLast(layout: TensorLayout, input: UnsafePointer<Float>, into xp: UnsafeMutablePointer<Float>,
                                 workers: Int) {
        let c = s.inputChannels, h = s.inputHeight, w = s.inputWidth
        let image = paddedHeight * paddedWidth * c
        let imageWorkers = min(workers, max(1, s.batch))
        ParallelRegion.run(workers: imageWorkers) { worker in
            for n in stride(from: worker, to: s.batch, by: imageWorkers) {
                let dst = xp + n * image
                dst.update(repeating: 0, count: image)
                for iy in 0..<h {
                    let dstRow = dst + ((iy + s.paddingHeight) * paddedWidth + s.paddingWidth) * c
                    switch layout {
                    case .nhwc:
                        dstRow.update(from: input + (n * h + iy) * w * c, count: w * c)
                    case .nchw:
                        // Row iy of every channel plane: a c x w matrix, stored as its transpose.
                        MatrixTranspose.copy(rows: c, columns: w, from: input + (n * c * h + iy) * w, lds: h * w,
                                             to: dstRow, ldd: c)
                    }
                }
            }
        }
    }

    private func channelsLastToNCHW(_ y: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, workers: Int) {
        let k = s.outputChannels, plane = s.outputHeight * s.outputWidth
        let imageWorkers = min(workers, max(1, s.batch))
        ParallelRegion.run(workers: imageWorkers) { worker in
            for n in stride(from: worker, to: s.batch, by: imageWorkers) {
                // The image's pixels x channels matrix, stored as its transpose.
                MatrixTranspose.copy(rows: plane, columns: k, from: y + n * plane * k, lds: k, to: output + n * k * plane, ldd: plane)
            }
        }
    }
}

