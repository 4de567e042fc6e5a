/// Why a kernel refused its input. Every case names the offending dimension or buffer and
/// says what was expected, so a caller can fix the call without reading kernel code.
public enum KernelError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A size or stride is out of range: `dimension` should be `expected` but is `got`.
    case invalidDimension(dimension: String, expected: String, got: Int)
    /// A buffer holds fewer elements than the shape and strides address.
    case bufferTooSmall(buffer: String, needed: Int, got: Int)
    /// Two shapes that must agree do not.
    case shapeMismatch(what: String, expected: String, got: String)

    public var description: String {
        switch self {
        case let .invalidDimension(dimension, expected, got):
            return "\(dimension): expected \(expected), got \(got)"
        case let .bufferTooSmall(buffer, needed, got):
            return "buffer \(buffer): needs at least \(needed) elements, got \(got)"
        case let .shapeMismatch(what, expected, got):
            return "\(what): expected \(expected), got \(got)"
        }
    }
}

/// The checks take the name of what they check as an autoclosure: names built by interpolation
/// ("layer 2: X elements (batch 1 x inputs 784)") are then built only for the error, not on every
/// call (a dense layer validated three such names a call, an MLP four layers' worth).
extension KernelError {
    /// Checks a leading dimension against the smallest legal value.
    static func checkLeadingDimension(_ name: @autoclosure () -> String, _ value: Int, atLeast minimum: Int) throws {
        if value < max(1, minimum) {
            throw KernelError.invalidDimension(dimension: name(), expected: ">= \(max(1, minimum))", got: value)
        }
    }

    static func checkNonNegative(_ name: @autoclosure () -> String, _ value: Int) throws {
        if value < 0 { throw KernelError.invalidDimension(dimension: name(), expected: ">= 0", got: value) }
    }

    /// Checks that a row-major `rows x cols` matrix with leading dimension `ld` fits in `count` elements.
    static func checkMatrixBuffer(_ name: @autoclosure () -> String, count: Int, rows: Int, cols: Int, ld: Int) throws {
        let needed = rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols
        if count < needed { throw KernelError.bufferTooSmall(buffer: name(), needed: needed, got: count) }
    }

    /// Checks that a buffer or list holds exactly `expected` elements.
    static func checkCount(_ what: @autoclosure () -> String, expected: Int, got: Int) throws {
        if got != expected { throw KernelError.shapeMismatch(what: what(), expected: "\(expected)", got: "\(got)") }
    }
}
