import Testing
@testable import BenchHarness
import NNKernels

/// The libraries the bench times beside the kernels are called through wrappers of this
/// package (argument order, strides, thread binding, oneDNN's descriptors): their results are
/// held to the same `Double` references as the kernels', or the comparison means nothing.
@Suite("Library yardsticks", .serialized)
struct LibraryYardstickTests {
    @Test("each library's GEMM matches the Double reference", arguments: LibraryGemm.allCases, [1, 2])
    func gemm(library: LibraryGemm, threads: Int) throws {
        try #require(library.unavailableReason() == nil, "\(library.rawValue) is installed by scripts/setup and .ci/run")
        library.setThreads(threads)
        for shape in [GemmShape(m: 37, n: 29, k: 41), GemmShape(m: 1, n: 64, k: 300), GemmShape(m: 130, n: 97, k: 8)] {
            let operands = GemmOperands(shape)
            defer { operands.release() }
            library.sgemm(operands.problem)
            let outcome = GemmCheck.check(operands.problem)
            #expect(outcome.passed, "\(library.rawValue) \(shape) on \(threads) threads: error \(outcome.maxError)")
        }
    }

    @Test("oneDNN's convolution matches the Double reference in both layouts",
          arguments: ["mb2ic5ih9iw11oc7oh9ow11kh3kw3ph1pw1", "mb1g4ic8ih8oc8oh4kh3sh2ph1", "mb1ic3ih10oc16oh4kh3dh2"])
    func convolution(descriptor text: String) throws {
        let shape = try ConvDescriptor(parsing: text).convolutionShape()
        for layout in TensorLayout.allCases {
            let operands = ConvSuite.Operands(shape)
            defer { operands.release() }
            LibraryGemm.onednn.setThreads(2)
            let layer = try OneDNNConvolution(shape, channelsLast: layout == .nhwc, weights: operands.w.pointer,
                                              bias: operands.bias.pointer)
            layer.forward(input: operands.x.pointer, output: operands.y.pointer)
            let outcome = operands.check(shape, layout: layout)
            #expect(outcome.passed, "\(text) \(layout): error \(outcome.maxError)")
        }
    }
}
