import _KernelShims

/// Convolution as one GEMM per image and group over an im2col buffer, with the bias and the
/// activation in the GEMM's epilogue.
///
/// - NHWC: the im2col matrix has one row per output pixel, `(ky, kx, c)` along it, so it
///   multiplies the weights as a `K x outputChannels/groups` matrix packed once (`DenseWeights`),
///   and the product lands in the output directly (leading dimension outputChannels). The
///   matrix is implicit: its rows are written from the image straight into the GEMM's packed-A
///   layout (micro-panels of MR pixels, k-major), which the driver then reads as they are,
///   so each patch value is copied once instead of twice (im2col, then packing). The panels
///   are built a block of pixels at a time (`blockPlan`), each block's GEMM right after, so
///   they are read back from L2 instead of memory. A 1x1 stride-1 convolution is that GEMM over
///   the input itself: every image at once, no copy.
/// - NCHW: the buffer holds one row per `(c, ky, kx)` and one column per output pixel; the
///   weights (OIHW, already `outputChannels x K`) multiply it from the left and the bias is per
///   row. A 1x1 stride-1 convolution reads each image's `C x HW` block as it is.
enum Im2colConvolution {
    /// Floats in the im2col buffers, per worker: one block of packed panels (NHWC), or one image
    /// and group's columns (NCHW); 0 when no copy is needed.
    static func workspaceCount(_ s: ConvolutionShape, layout: TensorLayout, threads: Int, mr: Int) -> Int {
        if s.isPointwise { return 0 }
        let k = s.inputChannelsPerGroup * s.kernelHeight * s.kernelWidth
        if layout == .nhwc {
            let plan = blockPlan(s, threads: threads, mr: mr)
            return panelBlockCount(s, rows: plan.rows, mr: mr) * plan.workers
        }
        return s.outputHeight * s.outputWidth * k * imageWorkers(s, layout: layout, threads: threads)
    }

    /// Output pixels per NHWC im2col block, aimed at: as many rows as fill half of L2 (whole
    /// micro-panels), but at least 96, so each B micro-panel the GEMM loads still serves 16 tiles.
    static func targetBlockRows(_ s: ConvolutionShape, mr: Int) -> Int {
        let k = s.inputChannelsPerGroup * s.kernelHeight * s.kernelWidth
        let fit = Topology.current.l2.sizeBytes / 2 / max(1, k * MemoryLayout<Float>.stride) / mr * mr
        return max(16 * mr, fit)
    }

    /// Floats of one NHWC block of `rows` pixels as packed micro-panels: whole panels of the full
    /// depth, then the spare floats `nnk_pack_a6x8_rows` writes past the last one (8), then a
    /// row of zeros that padding taps read (one group's channels, rounded up to whole vectors).
    static func panelBlockCount(_ s: ConvolutionShape, rows: Int, mr: Int) -> Int {
        let k = s.inputChannelsPerGroup * s.kernelHeight * s.kernelWidth
        return (rows + mr - 1) / mr * mr * k + 8 + (s.inputChannelsPerGroup + 7) / 8 * 8
    }

    /// Rows per NHWC block and the workers that share the blocks. Blocks run over the pixels of
    /// the whole batch, crossing from one image to the next, so only the batch's last
    /// micro-panel has padding rows: at 7x7 (49 pixels, nine panels of six) an image a block
    /// padded five rows in 54. Blocks are cut evenly, their count a multiple of the workers,
    /// each worker taking whole blocks with single-threaded GEMMs (no synchronisation inside a
    /// GEMM) when there are enough. Otherwise (a small image at batch 1) one block is one image
    /// and its GEMM is threaded, as a few short threaded GEMMs would each pay the sharing.
    static func blockPlan(_ s: ConvolutionShape, threads: Int, mr: Int) -> (rows: Int, workers: Int) {
        let pixels = s.outputHeight * s.outputWidth
        let total = s.batch * pixels
        let target = targetBlockRows(s, mr: mr)
        var blocks = max(1, (total + target - 1) / target)
        let workers = Tuning.workers(requested: threads, flops: s.flops, minimumFlopsPerExtraWorker: Tuning.minimumFlopsPerExtraWorker)
        if workers > 1 {
            // Counted as if no block crossed an image, so that a batch of small images still
            // shares out by images (eight 7x7 images: eight units for two workers).
            let units = s.batch * s.groups * ((pixels + target - 1) / target)
            if units < 4 * workers && units % workers != 0 { return (max(1, pixels), 1) }
            blocks = (blocks + workers - 1) / workers * workers
        }
        // Whole micro-panels; at least 1 so that an empty output still has a block size.
        let rows = ((total + blocks - 1) / blocks + mr - 1) / mr * mr
        return (max(1, rows), workers)
    }

    /// Workers that each take whole images, with single-threaded GEMMs, when the batch divides
    /// well among them: no synchronisation inside a GEMM, and small layers (LeNet's) that would
    /// never be worth splitting still use every core. 1 means one image at a time, each GEMM
    /// threaded. NHWC 1x1 layers are one GEMM over the whole batch either way.
    static func imageWorkers(_ s: ConvolutionShape, layout: TensorLayout, threads: Int) -> Int {
        if threads < 2 || (layout == .nhwc && s.isPointwise) { return 1 }
        return s.batch >= 2 * threads || (s.batch >= threads && s.batch % threads == 0) ? threads : 1
    }

    /// The NHWC weights of each group as a packed `(ky, kx, c) x outputChannels/groups` matrix.
    static func packWeights(_ s: ConvolutionShape, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                            microkernel: GemmMicrokernelDescriptor) throws -> [DenseWeights] {
        let cg = s.inputChannelsPerGroup, kg = s.outputChannelsPerGroup
        let taps = s.kernelHeight * s.kernelWidth
        let k = taps * cg
        var matrix = [Float](repeating: 0, count: k * kg)
        return try (0..<s.groups).map { group in
            for oc in 0..<kg {
                for c in 0..<cg {
                    for tap in 0..<taps {
                        matrix[(tap * cg + c) * kg + oc] = weights[((group * kg + oc) * cg + c) * taps + tap]
                    }
                }
            }
            return try matrix.withUnsafeBufferPointer { b in
                try DenseWeights(weights: b, inputs: k, outputs: kg,
                                 bias: bias.map { UnsafeBufferPointer(start: $0 + group * kg, count: kg) },
                                 layer: "convolution group \(group)", microkernel: microkernel)
            }
        }
    }

    static func run(_ s: ConvolutionShape, layout: TensorLayout, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                    bias: UnsafePointer<Float>?, packedGroups: [DenseWeights], activation: Activation,
                    output: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>, threads: Int,
                    kernel: GemmMicrokernelDescriptor) {
        if layout == .nhwc && !s.isPointwise {
            runBlocksNHWC(s, input: input, packedGroups: packedGroups, activation: activation, output: output,
                          workspace: workspace, threads: threads, mr: kernel.mr)
            return
        }
        let workers = imageWorkers(s, layout: layout, threads: threads)
        if workers == 1 {
            run(s, images: 0..<s.batch, layout: layout, input: input, weights: weights, bias: bias, packedGroups: packedGroups,
                activation: activation, output: output, workspace: workspace, threads: threads, kernel: kernel)
            return
        }
        let perImage = workspaceCount(s, layout: layout, threads: 1, mr: kernel.mr)
        let groups = UncheckedSendable(packedGroups)
        ParallelRegion.run(workers: workers) { worker in
            let images = ParallelRegion.share(of: s.batch, worker: worker, workers: workers)
            run(s, images: images, layout: layout, input: input, weights: weights, bias: bias, packedGroups: groups.value,
                activation: activation, output: output, workspace: workspace + worker * perImage, threads: 1, kernel: kernel)
        }
    }

    /// Images `images`, one at a time, each GEMM on `threads`.
    private static func run(_ s: ConvolutionShape, images: Range<Int>, layout: TensorLayout, input: UnsafePointer<Float>,
                            weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?, packedGroups: [DenseWeights],
                            activation: Activation, output: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>,
                            threads: Int, kernel: GemmMicrokernelDescriptor) {
        let cg = s.inputChannelsPerGroup, kg = s.outputChannelsPerGroup
        let pixels = s.outputHeight * s.outputWidth
        let k = cg * s.kernelHeight * s.kernelWidth
        switch layout {
        case .nhwc:
            // Only 1x1 stride-1 layers come here (the others go through `runBlocksNHWC`): one
            // GEMM over every image's pixels at once, reading the input as it is.
            for (group, weights) in packedGroups.enumerated() {
                let problem = GemmProblem(m: s.batch * pixels, n: kg, k: cg, alpha: 1, beta: 0,
                                          a: input + group * cg, lda: s.inputChannels, transA: .none,
                                          b: input, ldb: 1, transB: .none,
                                          c: output + group * kg, ldc: s.outputChannels)
                weights.microkernel.packedGemm(problem, prepackedB: weights.panels, threads: threads,
                                               epilogue: GemmEpilogue(bias: weights.bias, activation: activation))
            }
        case .nchw:
            let inputPlane = s.inputHeight * s.inputWidth
            for n in images {
                for group in 0..<s.groups {
                    let b: UnsafePointer<Float>
                    if s.isPointwise {
                        b = input + (n * s.inputChannels + group * cg) * inputPlane
                    } else {
                        fillColumnsNCHW(s, image: n, group: group, input: input, into: workspace)
                        b = UnsafePointer(workspace)
                    }
                    let problem = GemmProblem(m: kg, n: pixels, k: k, alpha: 1, beta: 0,
                                              a: weights + group * kg * k, lda: k, transA: .none,
                                              b: b, ldb: pixels, transB: .none,
                                              c: output + (n * s.outputChannels + group * kg) * pixels, ldc: pixels)
                    kernel.packedGemm(problem, threads: threads,
                                      epilogue: GemmEpilogue(rowBias: bias.map { $0 + group * kg }, activation: activation))
                }
            }
        }
    }

    /// NHWC, not 1x1: (block of pixels of the batch, group) units shared among the workers;
    /// each fills its block's rows into its own part of the workspace, then runs the block's
    /// GEMM into the output rows of those pixels (the output's rows are the batch's pixels in order).
    private static func runBlocksNHWC(_ s: ConvolutionShape, input: UnsafePointer<Float>, packedGroups: [DenseWeights],
                                      activation: Activation, output: UnsafeMutablePointer<Float>,
                                      workspace: UnsafeMutablePointer<Float>, threads: Int, mr: Int) {
        let kg = s.outputChannelsPerGroup
        let k = s.inputChannelsPerGroup * s.kernelHeight * s.kernelWidth
        let total = s.batch * s.outputHeight * s.outputWidth
        let (rowsPerBlock, workers) = blockPlan(s, threads: threads, mr: mr)
        let blocks = (total + rowsPerBlock - 1) / rowsPerBlock
        let units = blocks * s.groups
        let gemmThreads = workers == 1 ? threads : 1
        let groups = UncheckedSendable(packedGroups)
        let blockCount = panelBlockCount(s, rows: rowsPerBlock, mr: mr)
        let zerosOffset = blockCount - (s.inputChannelsPerGroup + 7) / 8 * 8
        ParallelRegion.run(workers: workers) { worker in
            let panels = workspace + worker * blockCount
            let zeros = panels + zerosOffset
            zeros.update(repeating: 0, count: blockCount - zerosOffset)
            for unit in ParallelRegion.share(of: units, worker: worker, workers: workers) {
                let group = unit % s.groups
                let first = unit / s.groups * rowsPerBlock
                let count = min(rowsPerBlock, total - first)
                let weights = groups.value[group]
                fillPanelsNHWC(s, pixels: first..<(first + count), group: group, input: input,
                               mr: mr, zeros: zeros, into: panels)
                let problem = GemmProblem(m: count, n: kg, k: k, alpha: 1, beta: 0,
                                          a: panels, lda: k, transA: .none, b: input, ldb: 1, transB: .none,
                                          c: output + first * s.outputChannels + group * kg, ldc: s.outputChannels)
                weights.microkernel.packedGemm(problem, prepackedA: PrepackedPanels(pointer: panels, k: k, width: mr),
                                               prepackedB: weights.panels, threads: gemmThreads,
                                               epilogue: GemmEpilogue(bias: weights.bias, activation: activation))
            }
        }
    }

    /// NHWC: the im2col rows of output pixels `pixels` of the batch (pixel n * OH * OW + oy * OW + ox),
    /// written as GEMM micro-panels: panel t holds pixels first + t * mr ..< + mr, k-major,
    /// `panels[t * mr * K + q * mr + r]` with q = (ky * KW + kx) * C/groups + c; taps on padding,
    /// and rows past the last pixel, read `zeros`. Each tap of each pixel is one contiguous run of
    /// the group's channels; for MR = 6 and 12 eight channels of the panel's pixels are transposed in
    /// registers.
    /// Inlined into its one caller, where MR is a constant, as it was before blocks crossed
    /// images: out of line, res2a at batch 8 ran 4 to 7% slower in alternating runs.
    @inline(__always)
    static func fillPanelsNHWC(_ s: ConvolutionShape, pixels: Range<Int>, group: Int, input: UnsafePointer<Float>,
                               mr: Int, zeros: UnsafePointer<Float>, into panels: UnsafeMutablePointer<Float>) {
        let cg = s.inputChannelsPerGroup
        let k = cg * s.kernelHeight * s.kernelWidth
        let outputHeight = s.outputHeight, outputWidth = s.outputWidth
        let imageFloats = s.inputHeight * s.inputWidth * s.inputChannels
        // Where each row of the panel reads the current tap, and each row's image and top-left
        // input position (tap 0, 0), found once a panel: a division per pixel per tap made the
        // fill a sixth of a 3x3 layer's time.
        let row = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: 2 * mr), image = row + mr
        let top = UnsafeMutablePointer<Int>.allocate(capacity: 2 * mr), left = top + mr
        defer {
            row.deallocate()
            top.deallocate()
        }
        var panel = panels
        // The block's first pixel is divided out once, then stepped a pixel a row.
        var position = PixelPosition(pixels.lowerBound, outputHeight: outputHeight, outputWidth: outputWidth)
        // The pixels two panels ahead, whose newest input (the last row of taps) is fetched
        // while this panel is filled: at batch 8 the input no longer stays in the caches between
        // calls, and the fill waited on memory for each run of channels.
        let lead = 2 * mr
        var ahead = PixelPosition(pixels.lowerBound + lead, outputHeight: outputHeight, outputWidth: outputWidth)
        for p0 in stride(from: pixels.lowerBound, to: pixels.upperBound, by: mr) {
            let live = min(mr, pixels.upperBound - p0)
            for r in 0..<min(mr, max(0, pixels.upperBound - (p0 + lead))) {
                prefetchNewestTaps(s, ahead, wholeWindow: r == 0 || ahead.ox == 0, group: group, input: input)
                ahead.advance(by: 1, outputHeight: outputHeight, outputWidth: outputWidth)
            }
            for r in 0..<live {
                image[r] = input + position.n * imageFloats + group * cg
                top[r] = position.oy * s.strideHeight - s.paddingHeight
                left[r] = position.ox * s.strideWidth - s.paddingWidth
                position.advance(by: 1, outputHeight: outputHeight, outputWidth: outputWidth)
            }
            for ky in 0..<s.kernelHeight {
                for kx in 0..<s.kernelWidth {
                    for r in 0..<mr {
                        row[r] = zeros
                        guard r < live else { continue }
                        let iy = top[r] + ky * s.dilationHeight, ix = left[r] + kx * s.dilationWidth
                        if iy >= 0 && iy < s.inputHeight && ix >= 0 && ix < s.inputWidth {
                            row[r] = image[r] + (iy * s.inputWidth + ix) * s.inputChannels
                        }
                    }
                    let tap = panel + (ky * s.kernelWidth + kx) * cg * mr
                    var c = 0
                    switch mr {
                    case 6:
                        // Each call writes two floats past its 48: into the next channels'
                        // first lanes, written after it, or the block's spare floats.
                        while c + 8 <= cg {
                            nnk_pack_a6x8_rows(row[0] + c, row[1] + c, row[2] + c, row[3] + c, row[4] + c, row[5] + c,
                                               tap + c * 6)
                            c += 8
                        }
                    case 12:
                        let rows = UnsafeRawPointer(row).assumingMemoryBound(to: UnsafePointer<Float>?.self)
                        while c + 8 <= cg {
                            nnk_pack_a12x8_rows(rows, c, tap + c * 12)
                            c += 8
                        }
                    default: break
                    }
                    for c in c..<cg {
                        for r in 0..<mr { tap[c * mr + r] = row[r][c] }
                    }
                }
            }
            panel += mr * k
        }
    }

    /// Fetches the input that output pixel `at` reads through its last row of taps: the
    /// whole row of its window, or, when the pixel before it in the same output row was fetched
    /// already, only the run of channels its last tap adds. Into L2: two panels ahead are 24 KiB
    /// of L1's 32 for res3a_branch1 (256 channels a pixel), which at batch 8 took 1.02x the time
    /// fetched into L1 (results/im2col-prefetch-to-l2-20261205).
    @inline(__always)
    private static func prefetchNewestTaps(_ s: ConvolutionShape, _ at: PixelPosition, wholeWindow: Bool, group: Int,
                                           input: UnsafePointer<Float>) {
        let iy = at.oy * s.strideHeight - s.paddingHeight + (s.kernelHeight - 1) * s.dilationHeight
        guard iy >= 0 && iy < s.inputHeight else { return }
        let leftmost = at.ox * s.strideWidth - s.paddingWidth
        let last = min(s.inputWidth - 1, leftmost + (s.kernelWidth - 1) * s.dilationWidth)
        let first = max(0, wholeWindow ? leftmost : max(leftmost, last - s.strideWidth + 1))
        guard first <= last else { return }
        let row = input + (at.n * s.inputHeight + iy) * s.inputWidth * s.inputChannels + group * s.inputChannelsPerGroup
        // From the first pixel's channels to the last pixel's: one span (the channels of other
        // groups between pixels, if any, come along).
        let start = UnsafeRawPointer(row + first * s.inputChannels)
        let bytes = ((last - first) * s.inputChannels + s.inputChannelsPerGroup) * MemoryLayout<Float>.stride
        var offset = 0
        while offset < bytes {
            nnk_prefetch_to_l2(start + offset)
            offset += 64
        }
    }

    /// NCHW: row `(c * KH + ky) * KW + kx` holds, for every output pixel, the input value that
    /// tap reads; with stride 1 each output row's valid span is one contiguous copy.
    static func fillColumnsNCHW(_ s: ConvolutionShape, image n: Int, group: Int, input: UnsafePointer<Float>,
                                into col: UnsafeMutablePointer<Float>) {
        let cg = s.inputChannelsPerGroup
        let oh = s.outputHeight, ow = s.outputWidth
        var row = col
        for c in 0..<cg {
            let plane = input + (n * s.inputChannels + group * cg + c) * s.inputHeight * s.inputWidth
            for ky in 0..<s.kernelHeight {
                for kx in 0..<s.kernelWidth {
                    let offset = kx * s.dilationWidth - s.paddingWidth
                    // Output columns whose input column ox * sw + offset lies inside the image.
                    let first = min(ow, max(0, (-offset + s.strideWidth - 1) / s.strideWidth))
                    let end = max(first, min(ow, (s.inputWidth - 1 - offset) / s.strideWidth + 1))
                    for oy in 0..<oh {
                        let dst = row + oy * ow
                        let iy = oy * s.strideHeight - s.paddingHeight + ky * s.dilationHeight
                        if iy < 0 || iy >= s.inputHeight || (s.inputWidth - 1 - offset) < 0 {
                            dst.update(repeating: 0, count: ow)
                            continue
                        }
                        dst.update(repeating: 0, count: first)
                        let source = plane + iy * s.inputWidth + offset
                        if s.strideWidth == 1 {
                            (dst + first).update(from: source + first, count: end - first)
                        } else {
                            for ox in first..<end { dst[ox] = source[ox * s.strideWidth] }
                        }
                        (dst + end).update(repeating: 0, count: ow - end)
                    }
                    row += oh * ow
                }
            }
        }
    }
}
