/// How a packed GEMM is cut into work for its workers.
///
/// The loops are BLIS's: for each NC-wide block of columns (jc) and KC-deep slice of k (pc),
/// a "phase" packs that KC x NC panel of B once, shared by all workers, then computes C with it
/// (B packed beforehand: a phase is a whole column block, see `slicesWithinChunk`; rows split
/// between workers that each run alone: see `rowSharesRunAlone`).
/// Each phase is `packChunks` packing chunks followed by `computeChunks` compute chunks, and
/// workers claim chunks in that global order from one atomic counter. A chunk waits only for
/// chunks with lower numbers (B packed before it is used; the same chunk of the previous k slice
/// finished before this one accumulates into its part of C; B's double buffer free before it is
/// refilled), so
/// the lowest unfinished chunk can always run: no deadlock however many workers actually show
/// up, and faster workers take more chunks.
struct PackedGemmSchedule {
    /// Compute chunks split the rows of C (each worker packs its own A block into its own L2)
    /// or, when there are too few rows for that, the micro-panels of B.
    enum Split { case rows, columns }

    let mr: Int, nr: Int
    let kc: Int, nc: Int, mc: Int
    /// Whether only the first compute chunk of a phase packs B (by its first tiles, as
    /// `packsBOnFirstUse`), and the chunks after it read the panel it packed: one worker, rows
    /// split into several chunks, one slice of the whole depth (see init).
    let packsBOnce: Bool
    let workers: Int
    let split: Split
    let columnBlocks: Int, depthBlocks: Int
    /// Whether compute chunks fetch the source of the next phase's B panel into L2 (see `nc`).
    let prefetchesNextPanel: Bool
    /// Whether B is packed here at all (not packed beforehand).
    let packsB: Bool
    /// Whether each compute chunk packs its own B micro-panels in the tiles that first use
    /// them (`GemmMicrokernel.runPackingB`), instead of packing chunks doing it in a phase of
    /// their own: when op(B) can be read where it lies and no two chunks of a phase share a
    /// micro-panel (one worker, or chunks that split the micro-panels), unless an L1-resident
    /// tile's panel serves several blocks of rows (`packsBInPhaseForRowBlocks`). The packing then
    /// waits on memory beside the first tile's FMAs instead of with none.
    let packsBOnFirstUse: Bool
    /// Whether one worker packs B in a phase of its own although its first tiles could (see
    /// init): the microkernel keeps its B micro-panel in L1 (`PanelResidency.l1`, the AVX2
    /// tiles), and the panel of a KC slice serves two or more blocks of rows.
    let packsBInPhaseForRowBlocks: Bool
    /// Whether tiles read A where it lies (`GemmMicrokernel.runUnpackedA`) instead of a packed
    /// block: when op(A) is A itself and B has at most four micro-panels, so that each row of A
    /// meets few tiles. A tall A (a 1x1 convolution over a batch, 25088 x 256 against 64 output
    /// channels) then comes from memory into L2 once, fetched by the tiles of the block before,
    /// instead of in a packing pass that waited on memory with no FMAs beside it and then wrote
    /// the block again for four passes of tiles.
    let readsAInPlace: Bool
    /// Whether each worker instead runs the whole one-worker product over its own share of the
    /// rows (`PackedGemmDriver.runRowSharesAlone`), packing its own B by its first tiles
    /// (`packsBOnFirstUse`), with no chunk shared and no wait: rows split, B packed here and
    /// readable where it lies, A packed here. Shared, B was packed at every k slice in a phase with
    /// no FMAs beside it, by both workers at once; packed twice beside FMAs it costs less. Two
    /// threads in alternating rounds: 512 to 2048 cubed 0.87 to 0.97x the time, 1024 cubed 79.6
    /// -> 88.5% of the two-core peak (results/row-shares-alone-20261206).
    let rowSharesRunAlone: Bool
    let packChunks: Int
    let computeChunks: Int
    /// Rows per compute chunk (rows split) or B micro-panels per compute chunk (columns split).
    let computeChunkSize: Int
    /// Micro-panels of B per packing chunk, for a full NC block.
    let packChunkPanels: Int

    init(m: Int, n: Int, k: Int, mr: Int, nr: Int, blocking: GemmBlocking, requestedWorkers: Int,
         minimumFlopsPerExtraWorker: Double, packsB: Bool = true, bReadableInPlace: Bool = false,
         aReadableInPlace: Bool = false, aPackedBeforehand: Bool = false, besideOtherWorkers: Bool = false,
         bPanelsInL1: Bool = false) {
        self.mr = mr
        self.nr = nr
        self.packsB = packsB
        // Whether A may be read in place at all: it is A itself, against B of at most four
        // micro-panels (see `readsAInPlace`, which also needs `prefetchesNextPanel` false).
        let aInPlaceShape = aReadableInPlace && n <= 4 * nr
        // Whole micro-panels, so every row block starts on a panel boundary of prepacked A.
        // A tall A read in place (`readsAInPlace`) goes in blocks of half MC, so that the block
        // the tiles read, the next one being fetched (`GemmMicrokernel.runUnpackedA`) and B leave
        // room in L2 (res2b_branch2a: 0.40 MiB of the AVX-512 host's 1 MiB instead of 0.74).
        // Alternating runs on the AVX-512 host, one thread: 25088 x 64 x 256 0.985 and 0.945x
        // the time, 6272 x 64 x 1024 0.920 and 0.915x, res2b_branch2a at batch 8 0.954 and
        // 0.949x; a quarter of MC was slower than half (results/in-place-a-half-mc-20261205).
        let blockRows = max(mr, (aInPlaceShape && m > blocking.mc ? blocking.mc / 2 : blocking.mc) / mr * mr)
        // The fewest KC slices, all of one depth: a 576-deep product goes 288 + 288, not
        // 272 + 272 + 32, whose last slice would load and store every tile of C for 32 steps.
        // With B packed once (a dense layer's weights) and every row in one MC block, one slice
        // of the whole depth: no slice then loads and stores C again, and the few A panels and
        // one B micro-panel stream from L2 (fused dense ReLU on the AVX-512 host, one thread:
        // 64 x 3072 x 768 at 90.3 / 90.5% of peak against 87.7 / 86.4, 256 x 1024 x 1024 at
        // 94.1 / 93.2 against 90.1 / 90.2, 64 x 1024 x 4096 at 87.2 / 84.1 against 81.8 / 80.6).
        // Not when the last micro-panel holds one or two rows: its tile would stream every B
        // micro-panel of the whole depth once more, from beyond L1, for NV or 2 NV FMAs a k step
        // (49 rows, the 7 x 7 convolution res5b_branch2b: with KC slices, and that tile's k steps
        // spread over four sets of accumulators in `SIMDGemmMicrokernel.accumulateInSets`, 0.94x
        // the time in alternating runs). Three rows were not timed, so they keep one slice.
        // B packed here (by its first tiles) takes one slice too when all of A fits half of L2
        // (a batch of 64 against 1024 inputs): each packed micro-panel then serves its tiles
        // once, and C is stored once. Six alternating rounds, one / two threads: 64 x 1024 x 1024
        // 0.971 / 0.986x the time, 64 x 256 x 784 0.980 / 0.968x, 200 x 512 x 512 0.983 / 0.969x
        // (3 rounds), 64 x 3072 x 768 1.008 / 0.995x (results/one-slice-packing-20261206).
        let wholeAFitsHalfL2 = m * k <= blocking.mc * blocking.kc
        let lastPanelHasOneOrTwoRows = 1...2 ~= m % mr
        workers = Tuning.workers(requested: requestedWorkers, flops: 2 * Double(m) * Double(n) * Double(k),
                                 minimumFlopsPerExtraWorker: minimumFlopsPerExtraWorker)
        // One worker packing B by its first tiles, over several blocks of rows, at a depth of two
        // or three KC slices: one slice of the whole depth instead, in blocks of fewer rows that
        // keep the L2 budget of the derived blocking (A's block and two micro-panels of B), and B
        // packed once a phase by the first block for all the blocks after it (`packsBOnce`).
        // Each tile of C is then loaded and stored once instead of at every slice (at 1024
        // columns its rows lie 4 KB apart, in one set of L1), and B is read from its source once
        // instead of once a block, each read a strip of rows a leading dimension apart. Alternating
        // rounds on the AVX-512 host, one thread, three sets: 512 cubed 0.971 to 0.980x the time,
        // 768 cubed 0.976 to 0.987x, 1024 cubed 0.966 to 0.982x (89.8 -> 93.0% of peak),
        // 700 x 900 x 1000 0.966 to 1.013x. Not for one worker's share of the rows beside
        // another's (two whole-depth panels of B in the L3 they share): 1024 cubed on two threads
        // took 0.994 to 1.030x the time. Deeper products keep KC slices: two slices of 1024 at
        // 2048 cubed took 1.034x the time, one of 2048 1.138x (results/pack-b-once-20261207).
        // Those rounds ran the new build second in every pair, which alone gave identical builds
        // 0.958 to 0.971x the time on the AVX2 host. Timed there again with the order swapped (44
        // rounds, 6 x 16 tile): KC slices took 1.03x the time at 768 cubed (slower in 32 of 44),
        // 1.00x at 512 cubed, and 0.97 to 0.98x at 256 x 3072 x 768, but faster in only 24 and 26
        // of 44 rounds (results/pack-b-once-swapped-20261207-avx2).
        packsBOnce = packsB && bReadableInPlace && workers == 1 && !besideOtherWorkers && !aInPlaceShape && !aPackedBeforehand
            && m > blockRows && k > blocking.kc && k <= 3 * blocking.kc && !lastPanelHasOneOrTwoRows
        let slices = packsBOnce || (!packsB || wholeAFitsHalfL2) && m <= blockRows && !lastPanelHasOneOrTwoRows
            ? 1 : max(1, (k + blocking.kc - 1) / max(1, blocking.kc))
        kc = max(1, (k + slices - 1) / slices)
        // L2 in floats as the derived blocking fills it: two MC x KC blocks and two micro-panels.
        let l2Floats = 2 * (blocking.mc + nr) * blocking.kc
        mc = packsBOnce ? min(blockRows, max(mr, (l2Floats - 2 * kc * nr) * 7 / 8 / kc / mr * mr)) : blockRows
        // Whole micro-panels, so every column block starts on a panel boundary of prepacked B.
        // When B is packed here by one worker and every row of A is one MC block (a batch of
        // 64), each packed element of B serves one pass of tiles only: a panel larger than L2
        // was written out and read back, and its packing waited on memory with no FMAs beside
        // it. Then the panel and the next panel's source, fetched while this one's tiles run
        // (`NextPanelPrefetch`), share the half of L2 that an MC x KC block of A is given, and
        // A, packed once in full depth (`PackedGemmDriver`), must fit the other half.
        // Alternating runs on the AVX2 host, one thread: 64 x 3072 x 768 at 0.85 and 0.91x the
        // time while a neighbour contended for memory (the old path at 52 to 61% of peak), 1.03
        // and 0.98x in a quiet hour (71 to 78%); 0.99x on an AVX-512 host with 256-bit FMA
        // pipes (results/alternating-20261202/streamed-panels-avx512). Where A
        // outgrew that (64 x 1024 x 4096, 1 MB) 1.01 and 1.13x; where the wide panel and the
        // block of A fit L2 together (64 x 256 x 784) the narrow panels only added phases, 1.10x.
        // Two workers meet at every phase of the narrow panels and were not faster (1.02 to
        // 1.35x), nor were one-worker shares of the columns (1.05x), so they keep wide panels.
        // (L2 holds two MC x KC blocks.)
        let widePanelFitsL2 = (n + m) * kc <= 2 * blocking.mc * blocking.kc
        prefetchesNextPanel = packsB && workers == 1 && m <= mc && wholeAFitsHalfL2 && !widePanelFitsL2
        // The KC x NC panel's budget (half of L3) holds fewer columns at the whole depth.
        let ncLimit = prefetchesNextPanel ? blocking.mc * blocking.kc / (2 * kc)
            : packsBOnce ? blocking.nc * blocking.kc / kc : blocking.nc
        nc = min(max(nr, ncLimit / nr * nr), (n + nr - 1) / nr * nr)
        columnBlocks = (n + nc - 1) / nc
        depthBlocks = (k + kc - 1) / kc
        let panelsPerBlock = nc / nr
        // Rows while each worker gets a few micro-panels of A of its own. When all of A is one
        // MC block and B has micro-panels to spare, the B micro-panels instead: a batch of 64
        // is 11 micro-panels of 6 rows, cut 6 + 5 between two workers, so one waited for the
        // other at every k slice, while B's micro-panels share out evenly (every worker packs
        // the small A itself).
        let fewRows = m < workers * mr * 4
        let oneBlockOfA = m <= mc && panelsPerBlock >= 4 * workers
        split = workers > 1 && (fewRows || oneBlockOfA) ? .columns : .rows
        switch split {
        case .rows:
            let perWorker = (m + workers - 1) / workers
            let blocksPerWorker = (perWorker + mc - 1) / mc
            let chunks = workers * blocksPerWorker
            let rows = ((m + chunks - 1) / chunks + mr - 1) / mr * mr
            computeChunkSize = rows
            computeChunks = (m + rows - 1) / rows
        case .columns:
            computeChunkSize = (panelsPerBlock + workers - 1) / workers
            computeChunks = (panelsPerBlock + computeChunkSize - 1) / computeChunkSize
        }
        readsAInPlace = aInPlaceShape && !prefetchesNextPanel
        rowSharesRunAlone = workers > 1 && split == .rows && packsB && bReadableInPlace && !readsAInPlace && !aPackedBeforehand
        // A tile that packs B reads one strip of NR floats from each of KC rows a leading dimension
        // apart. With the 6 x 16 AVX2 tile such a tile took 2.6 to 2.9x a full tile at 1024 and
        // 2048 cubed (1.5x with the 12 x 32 AVX-512 tile), and no fetch ahead of its rows helped
        // (results/not-kept-20261207-spread-packing). A phase of its own reads the rows whole, in
        // order, and has no FMAs beside it, and the first block of rows then reads the packed panel
        // from L3 like every block after it: worth it where the panel serves two or more blocks
        // of rows at a KC slice. Alternating rounds on the AVX2 host (14 to 16, order reversed
        // every other round), one thread: 960 to 2048 rows 0.94 to 0.98x the time, 480 and 256
        // rows (two blocks) 0.98 to 0.99x, 512 cubed 0.98 to 1.01x; two threads, whose row shares
        // run alone: 2048 cubed 0.89 to 0.97x, 1536 cubed 0.95 to 0.97x. One block of rows (a
        // batch of 64) took 1.12 to 1.16x the time, and one slice of the whole depth packed once
        // (`packsBOnce`: 768 cubed, 1024 x 1024 x 512, 256 x 3072 x 768) 0.98 to 1.03x, so those
        // keep the packing tiles (results/phase-packing-l1-tiles-20261207).
        packsBInPhaseForRowBlocks = bPanelsInL1 && packsB && bReadableInPlace && workers == 1 && !packsBOnce
            && !readsAInPlace && m > mc
        // B packed on first use would need A packed for its first tiles; B this narrow packs quickly.
        packsBOnFirstUse = packsB && bReadableInPlace && (workers == 1 || split == .columns) && !readsAInPlace
            && !packsBInPhaseForRowBlocks
        // Prepacked B (weights packed once), or B packed by the tiles: phases have no packing chunks.
        packChunks = packsB && !packsBOnFirstUse ? workers : 0
        packChunkPanels = (panelsPerBlock + workers - 1) / workers
    }

    /// Whether a compute chunk runs every k slice of its part of C in turn, instead of one slice
    /// a phase: when B was packed beforehand, so no phase packs a slice of it for all workers to
    /// share. The chunk's block of C is then added to again while it is still in L2; phase by
    /// phase, each slice went over all of C, which for a 1x1 convolution over a batch
    /// (25088 x 64, 6.4 MB) meant writing C to memory and reading it back at every slice.
    var slicesWithinChunk: Bool { !packsB }
    /// Phases per column block: one a k slice, or one for all slices when chunks run them all.
    var phasesPerColumnBlock: Int { slicesWithinChunk ? 1 : depthBlocks }
    var phases: Int { columnBlocks * phasesPerColumnBlock }
    var chunksPerPhase: Int { packChunks + computeChunks }
    var totalChunks: Int { phases * chunksPerPhase }
    /// Floats in one packed B panel (KC x NC).
    var packedBCount: Int { kc * nc }
    /// Packed B panels: two, so a fast worker may pack the next phase while others finish this
    /// one; one worker runs its chunks in order and needs one (at the whole depth, `packsBOnce`,
    /// a panel of 1024 x 1024 is 4 MB).
    var packedBPanels: Int { workers == 1 ? 1 : 2 }
    /// Where a phase's packed B panel starts in the buffer of `packedBPanels` panels.
    func packedBOffset(phase: Int) -> Int { phase % packedBPanels * packedBCount }
    /// Floats in one worker's packed A block (MC x KC, rounded up to whole micro-panels).
    var packedACount: Int { (min(mc, split == .rows ? computeChunkSize : mc) + mr - 1) / mr * mr * kc }
}
