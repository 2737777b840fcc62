import Foundation

/// Writes files so readers see the old content or the new, never a mix: temporary file in the
/// same directory, fsync, rename, fsync of the directory.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String, permissions: mode_t = 0o644) throws(EvictorCoreError) {
        try write(to: path, permissions: permissions) { sink in sink.write(data) }
    }

    /// Streams the content through `body` (large documents never sit in memory whole).
    public static func write(to path: String, permissions: mode_t = 0o644, _ body: (FileSink) throws -> Void) throws(EvictorCoreError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = "\(directory)/.\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard fd >= 0 else { throw .cannotWrite(path, reason: String(cString: strerror(errno))) }
        let sink = FileSink(descriptor: fd)
        var failure: String?
        do { try body(sink) } catch { failure = "\(error)" }
        if failure == nil { failure = sink.flush() }
        if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw .cannotWrite(path, reason: failure)
        }
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }
}

/// A buffered writer on a file descriptor; the first write error sticks and `flush` reports it.
public final class FileSink {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var failure: String?

    public init(descriptor: Int32) {
        self.descriptor = descriptor
        buffer.reserveCapacity(1 << 16)
    }

    public func write(_ data: Data) {
        buffer.append(contentsOf: data)
        if buffer.count >= 1 << 16 { _ = flush() }
    }

    public func write(_ text: String) {
        write(Data(text.utf8))
    }

    /// Writes what is buffered; returns the first error, if any.
    @discardableResult
    public func flush() -> String? {
        guard failure == nil else { return failure }
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return Foundation.write(descriptor, base + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
                break
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
        return failure
    }
}
