/// A dense layer's weights and bias, packed once into the micro-panels of one GEMM microkernel
/// and reused by every call (XNNPACK and oneDNN do the same for inference).
///
/// W maps `inputs` features to `outputs`: stored `inputs x outputs` row-major (`layout == .none`,
/// the `a_in * W` of the tutorials) or `outputs x inputs` (`.transposed`, PyTorch's
/// `Linear.weight`). The bias, one value per output, is zero-padded to whole micro-panels, so
/// the epilogue loads it a vector at a time even on the last, partial panel.
public final class DenseWeights: @unchecked Sendable {
    public let inputs: Int
    public let outputs: Int
    public let hasBias: Bool
    public let microkernel: GemmMicrokernelDescriptor
    /// Used in error messages.
    public let layer: String
    private let storage: AlignedFloatBuffer
    private let paddedBias: AlignedFloatBuffer

    public init(weights: UnsafeBufferPointer<Float>, layout: Transpose = .none, inputs: Int, outputs: Int,
                bias: UnsafeBufferPointer<Float>?, layer: String = "dense",
                microkernel: GemmMicrokernelDescriptor = GemmMicrokernels.preferred) throws {
        try Dense.validateWeights(weights: weights, inputs: inputs, outputs: outputs, bias: bias, layer: layer)
        if !microkernel.isSupported {
            throw KernelError.invalidDimension(dimension: "layer \(layer): microkernel \(microkernel.name) (unsupported by this CPU)",
                                               expected: "a supported microkernel", got: 0)
        }
        self.inputs = inputs
        self.outputs = outputs
        self.layer = layer
        self.microkernel = microkernel
        hasBias = bias != nil
        let nr = microkernel.nr
        let panels = (outputs + nr - 1) / nr
        storage = AlignedFloatBuffer(count: panels * inputs * nr)
        paddedBias = AlignedFloatBuffer(zeroedCount: panels * nr)
        if let bias, let source = bias.baseAddress { paddedBias.pointer.update(from: source, count: outputs) }
        let problem = Dense.weightsAsGemmB(weights, layout: layout, inputs: inputs, outputs: outputs)
        for panel in 0..<panels {
            GemmPacking.packBPanel(problem, nr: nr, p0: 0, kc: inputs, j: panel * nr,
                                   into: storage.pointer + panel * inputs * nr)
        }
    }

    deinit {
        storage.deallocate()
        paddedBias.deallocate()
    }

    var panels: PrepackedPanels {
        PrepackedPanels(pointer: storage.pointer, k: inputs, width: microkernel.nr)
    }

    /// The bias padded to whole micro-panels, or nil.
    var bias: UnsafePointer<Float>? { hasBias ? UnsafePointer(paddedBias.pointer) : nil }

    /// Bytes of packed weights (what a call streams through).
    public var packedBytes: Int { storage.count * MemoryLayout<Float>.stride }
}
