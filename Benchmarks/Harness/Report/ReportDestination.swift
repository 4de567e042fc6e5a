import Foundation

/// A file a run will write when it ends, made sure of before anything is timed. A full run takes
/// half an hour; a path that could not be written used to fail only after it, the figures lost,
/// with Foundation's error text in place of a one-line reason.
enum ReportDestination {
    /// Creates the folder `path` goes in, then opens `path` for writing, as the report will, and
    /// removes it again if it was not there before. Throws a `UsageError` naming `option`, the
    /// path and the reason.
    static func prepare(_ path: String, option: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw UsageError("\(option): '\(path)' is a folder, expected a file")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw UsageError("\(option): cannot create the folder '\(folder.path)' for '\(path)': \(reason(error))")
        }
        let existed = FileManager.default.fileExists(atPath: path)
        let descriptor = open(path, O_WRONLY | O_CREAT, 0o644)
        if descriptor < 0 {
            throw UsageError("\(option): cannot write '\(path)': \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        if !existed { unlink(path) }
    }

    /// The system's words for why a file operation failed, without Foundation's wrapping.
    static func reason(_ error: Error) -> String {
        let error = error as NSError
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return error.localizedDescription
    }
}
