import _KernelShims

/// One vector of eight floats stored ordinarily or around the caches (`vmovntps`, which needs
/// `p` 32-byte aligned). The elementwise kernels, NHWC pooling and NHWC depthwise convolution
/// choose once a call, by `Tuning.streamingStoreBytes`, and pass the choice down: a constant at
/// the elementwise kernels' and depthwise convolution's call sites, a test their loops never
/// change in pooling's.
enum VectorStore {
    @inline(__always)
    static func store(_ v: SIMD8<Float>, at p: UnsafeMutablePointer<Float>, streaming: Bool) {
        if streaming {
            nnk_stream_store8(p, v)
        } else {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
        }
    }
}
