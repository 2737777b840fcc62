import EvictorCore
import Foundation

/// Plain POSIX calls on string paths for the hot loops of a store walk: Foundation's URL
/// appending stats every component and `FileManager` allocates per entry, which made a
/// 10,000-tag walk spend most of its time in path handling. Listing and reading go through
/// `PlatformFiles` (the C shim); the rest are single `stat` calls.
enum FileSystem {
    /// Names in a directory (no `.`, `..` or hidden entries); empty when it cannot be read.
    static func list(_ path: String) -> [String] {
        PlatformFiles.list(path)
    }

    /// The whole file, or nil when it cannot be read or is larger than `limit`.
    static func read(_ path: String, limit: Int = 64 << 20) -> [UInt8]? {
        PlatformFiles.read(path, limit: limit)
    }

    /// The size of a regular file, or nil when there is none.
    static func size(_ path: String) -> Int64? {
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(status.st_size)
    }

    static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }
}
