import CEvictorPlatform
import Foundation

/// Directory listing, globbing and whole-file reads through the `CEvictorPlatform` shim: the
/// one place that talks to `dirent`, `glob_t` and raw file descriptors, so no Swift code walks
/// those structures or imports Glibc for them.
public enum PlatformFiles {
    /// Names in a directory (no `.`, `..` or hidden entries), in the system's order; empty when
    /// it cannot be read.
    public static func list(_ path: String) -> [String] {
        var count = 0
        var length = 0
        guard let buffer = evictor_list_directory(path, &count, &length) else { return [] }
        defer { free(buffer) }
        return strings(buffer, count: count, length: length)
    }

    /// The paths matching a shell-style pattern (`*`, `?`, `[...]`), sorted; none when nothing
    /// matches or the pattern is bad.
    public static func glob(_ pattern: String) -> [String] {
        var count = 0
        var length = 0
        guard let buffer = evictor_glob(pattern, &count, &length) else { return [] }
        defer { free(buffer) }
        return strings(buffer, count: count, length: length).sorted()
    }

    /// The whole file, or nil when it cannot be read or is larger than `limit` bytes.
    public static func read(_ path: String, limit: Int) -> [UInt8]? {
        var length = 0
        let buffer = evictor_read_file(path, max(0, limit), &length)
        defer { free(buffer) }
        guard length >= 0 else { return nil }  // SIZE_MAX: could not be read, or too large
        guard let buffer else { return length == 0 ? [] : nil }
        return [UInt8](UnsafeBufferPointer(start: buffer, count: length))
    }

    /// `count` NUL-terminated strings back to back in `length` bytes.
    private static func strings(_ buffer: UnsafeMutablePointer<CChar>, count: Int, length: Int) -> [String] {
        var result: [String] = []
        result.reserveCapacity(count)
        var offset = 0
        while offset < length, result.count < count {
            let text = String(cString: buffer + offset)
            result.append(text)
            offset += text.utf8.count + 1
        }
        return result
    }
}
