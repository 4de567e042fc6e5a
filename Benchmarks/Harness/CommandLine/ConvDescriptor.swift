import NNKernels

/// A 2-D convolution in oneDNN benchdnn's descriptor syntax, for example
/// `mb1ic64ih56oc64oh56kh3ph1n"resnet_50:res2a_branch2b"`.
///
/// Fields are a name followed by an integer: mb (batch), g (groups), ic, ih, iw, oc, oh, ow,
/// kh, kw, sh, sw, ph, pw, dh, dw; an optional `n"name"` ends it. benchdnn's defaults apply:
/// mb 2, g 1, width fields copy height fields, stride 1, padding 0, dilation 0 (benchdnn
/// counts dilation from 0: dh1 means one gap between taps), and a missing output size is
/// computed from the others.
public struct ConvDescriptor: Equatable, Sendable, CustomStringConvertible {
    public var mb = 2, groups = 1
    public var ic = 0, ih = 0, iw = 0
    public var oc = 0, oh = 0, ow = 0
    public var kh = 0, kw = 0
    public var sh = 1, sw = 1
    public var ph = 0, pw = 0
    public var dh = 0, dw = 0
    public var name: String?

    static let fields = ["mb", "g", "ic", "ih", "iw", "oc", "oh", "ow", "kh", "kw", "sh", "sw", "ph", "pw", "dh", "dw"]

    /// - Parameter outputChannelsDefaultToInput: for pooling descriptors (benchdnn's `pool`
    ///   driver has no oc): a missing oc equals ic.
    public init(parsing text: String, outputChannelsDefaultToInput: Bool = false) throws {
        var values: [String: Int] = [:]
        var rest = Substring(text)
        while !rest.isEmpty {
            if rest.hasPrefix("n") && rest.dropFirst().hasPrefix("\"") {
                let body = rest.dropFirst(2)
                guard let close = body.firstIndex(of: "\""), body.index(after: close) == body.endIndex else {
                    throw UsageError("malformed conv descriptor '\(text)': the name n\"...\" must be quoted and come last")
                }
                name = String(body[..<close])
                break
            }
            let letters = rest.prefix { $0.isLetter }
            guard !letters.isEmpty, Self.fields.contains(String(letters)) else {
                throw UsageError("malformed conv descriptor '\(text)': unknown field at '\(rest.prefix(8))'")
            }
            rest = rest.dropFirst(letters.count)
            let digits = rest.prefix { $0.isNumber }
            guard let value = Int(digits) else {
                throw UsageError("malformed conv descriptor '\(text)': field \(letters) needs an integer")
            }
            guard values[String(letters)] == nil else {
                throw UsageError("malformed conv descriptor '\(text)': field \(letters) given twice")
            }
            values[String(letters)] = value
            rest = rest.dropFirst(digits.count)
        }
        if outputChannelsDefaultToInput && values["oc"] == nil, let ic = values["ic"] { values["oc"] = ic }
        for required in ["ic", "oc", "ih", "kh"] where values[required] == nil && values[required.replacingOccurrences(of: "h", with: "w")] == nil {
            throw UsageError("malformed conv descriptor '\(text)': field \(required) is required")
        }
        mb = values["mb"] ?? 2
        groups = values["g"] ?? 1
        ic = values["ic"]!
        oc = values["oc"]!
        ih = values["ih"] ?? values["iw"]!
        iw = values["iw"] ?? ih
        kh = values["kh"] ?? values["kw"]!
        kw = values["kw"] ?? kh
        sh = values["sh"] ?? 1
        sw = values["sw"] ?? sh
        ph = values["ph"] ?? 0
        pw = values["pw"] ?? ph
        dh = values["dh"] ?? 0
        dw = values["dw"] ?? dh
        let computedOH = Self.outputSize(input: ih, kernel: kh, stride: sh, padding: ph, dilation: dh)
        let computedOW = Self.outputSize(input: iw, kernel: kw, stride: sw, padding: pw, dilation: dw)
        oh = values["oh"] ?? computedOH
        ow = values["ow"] ?? (values["oh"] != nil && iw == ih && kw == kh ? oh : computedOW)
        try validate(text)
    }

    static func outputSize(input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int) -> Int {
        guard stride > 0 else { return 0 }
        let span = (kernel - 1) * (dilation + 1) + 1
        // Rounded down, not toward zero: a kernel wider than the padded input has no position.
        let room = input + 2 * padding - span
        return room < 0 ? 0 : room / stride + 1
    }

    private func validate(_ text: String) throws {
        func fail(_ field: String, _ what: String) -> UsageError {
            UsageError("malformed conv descriptor '\(text)': \(field) \(what)")
        }
        for (field, value) in [("mb", mb), ("g", groups), ("ic", ic), ("ih", ih), ("iw", iw), ("oc", oc),
                               ("kh", kh), ("kw", kw), ("sh", sh), ("sw", sw)] where value < 1 {
            throw fail(field, "must be at least 1, got \(value)")
        }
        for (field, value) in [("ph", ph), ("pw", pw), ("dh", dh), ("dw", dw)] where value < 0 {
            throw fail(field, "must be at least 0, got \(value)")
        }
        if ic % groups != 0 { throw fail("ic", "(\(ic)) must be divisible by g (\(groups))") }
        if oc % groups != 0 { throw fail("oc", "(\(oc)) must be divisible by g (\(groups))") }
        let expectedOH = Self.outputSize(input: ih, kernel: kh, stride: sh, padding: ph, dilation: dh)
        let expectedOW = Self.outputSize(input: iw, kernel: kw, stride: sw, padding: pw, dilation: dw)
        if expectedOH < 1 { throw fail("oh", "would be \(expectedOH): the kernel does not fit the padded input height") }
        if expectedOW < 1 { throw fail("ow", "would be \(expectedOW): the kernel does not fit the padded input width") }
        if oh != expectedOH { throw fail("oh", "is \(oh) but ih, kh, sh, ph and dh give \(expectedOH)") }
        if ow != expectedOW { throw fail("ow", "is \(ow) but iw, kw, sw, pw and dw give \(expectedOW)") }
    }

    /// The canonical descriptor, with every field written out.
    public var description: String {
        var text = "mb\(mb)"
        if groups != 1 { text += "g\(groups)" }
        text += "ic\(ic)ih\(ih)"
        if iw != ih { text += "iw\(iw)" }
        text += "oc\(oc)oh\(oh)"
        if ow != oh { text += "ow\(ow)" }
        text += "kh\(kh)"
        if kw != kh { text += "kw\(kw)" }
        if sh != 1 || sw != 1 { text += "sh\(sh)" + (sw != sh ? "sw\(sw)" : "") }
        if ph != 0 || pw != 0 { text += "ph\(ph)" + (pw != ph ? "pw\(pw)" : "") }
        if dh != 0 || dw != 0 { text += "dh\(dh)" + (dw != dh ? "dw\(dw)" : "") }
        return text
    }

    /// The descriptor with its name, as benchdnn writes it: what report rows carry.
    public var fullDescription: String { description + (name.map { "n\"\($0)\"" } ?? "") }

    /// Multiply-adds times two, counting every tap including those on padding, as is customary.
    public var flops: Double {
        2 * Double(mb) * Double(oc) * Double(oh) * Double(ow) * Double(ic / groups) * Double(kh) * Double(kw)
    }
}

extension ConvDescriptor {
    /// The library's shape for this descriptor (benchdnn counts dilation from 0, the library from 1).
    func convolutionShape() throws -> ConvolutionShape {
        try ConvolutionShape(batch: mb, groups: groups, inputChannels: ic, inputHeight: ih, inputWidth: iw, outputChannels: oc,
                             kernelHeight: kh, kernelWidth: kw, strideHeight: sh, strideWidth: sw, paddingHeight: ph,
                             paddingWidth: pw, dilationHeight: dh + 1, dilationWidth: dw + 1)
    }
}
