import NNKernels

extension AlignedFloatBuffer {
    /// Fills the buffer with values uniform in [-scale, scale) from a linear congruential
    /// generator whose state carries over between calls, so operands are the same every run.
    func fillUniform(_ state: inout UInt32, scale: Float = 1) {
        for i in 0..<count {
            state = state &* 1_664_525 &+ 1_013_904_223
            pointer[i] = (Float(state >> 8) / Float(1 << 24) * 2 - 1) * scale
        }
    }
}
