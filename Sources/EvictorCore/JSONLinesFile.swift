import Foundation

/// An append-only file of JSON lines (mode 0600) where every line is on disk (`fsync`) before
/// `append` returns, so a record is durable before the action it announces. Used by deletion
/// journals and quarantine move records.
public final class JSONLinesFile: @unchecked Sendable {
    public let path: String
    private let descriptor: Int32

    /// Opens (or creates) the file for appending, locked against a second writer (another
    /// `apply` on the same journal would cut and interleave its lines). A last line without
    /// its newline, left by a process killed while writing it, is cut off first: otherwise the
    /// next record would be glued to it and the file would no longer read back.
    public init(path: String) throws(EvictorCoreError) {
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotWrite(path, reason: String(cString: strerror(errno))) }
        fchmod(fd, 0o600)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .cannotWrite(path, reason: "in use by another evictor process")
        }
        if let failure = Self.cutTornTail(fd) {
            close(fd)
            throw .cannotWrite(path, reason: failure)
        }
        self.path = path
        self.descriptor = fd
    }

    /// Truncates the file after its last newline when it does not end with one; nil on success.
    private static func cutTornTail(_ fd: Int32) -> String? {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return size < 0 ? String(cString: strerror(errno)) : nil }
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var end = size
        while end > 0 {
            let start = max(0, end - off_t(chunk.count))
            let count = Int(end - start)
            let read = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, start) }
            guard read == count else { return "cannot read the end of the file" }
            if end == size, chunk[count - 1] == UInt8(ascii: "\n") { return nil }
            if let newline = chunk[..<count].lastIndex(of: UInt8(ascii: "\n")) {
                return ftruncate(fd, start + off_t(newline) + 1) == 0 ? nil : String(cString: strerror(errno))
            }
            end = start
        }
        return ftruncate(fd, 0) == 0 ? nil : String(cString: strerror(errno))
    }

    deinit { close(descriptor) }

    /// Appends one record and waits until it is on disk. Callers serialise appends (an actor,
    /// or one thread).
    public func append<Record: Encodable>(_ record: Record) throws(EvictorCoreError) {
        let data: Data
        do { data = try VersionedDocument.encoder(pretty: false).encode(record) + Data("\n".utf8) } catch {
            throw .cannotWrite(path, reason: "cannot encode a record")
        }
        let sink = FileSink(descriptor: descriptor)
        sink.write(data)
        if let failure = sink.flush() { throw .cannotWrite(path, reason: failure) }
        if fsync(descriptor) != 0 { throw .cannotWrite(path, reason: String(cString: strerror(errno))) }
    }

    /// Reads every record. A last line without its newline (cut short by a crash) is ignored,
    /// as opening the file to append cuts it off; any other line that is not a record is an
    /// error naming the line (`invalid` builds it).
    public static func read<Record: Decodable>(
        _ type: Record.Type, from path: String, invalid: (String) -> EvictorCoreError
    ) throws(EvictorCoreError) -> [Record] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .cannotRead(path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        let decoder = VersionedDocument.decoder()
        // The piece after the last newline is empty, or a line whose write was interrupted.
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast()
        var records: [Record] = []
        for (number, line) in lines.enumerated() where !line.isEmpty {
            do {
                records.append(try decoder.decode(Record.self, from: Data(line)))
            } catch {
                throw invalid("line \(number + 1) is not a record")
            }
        }
        return records
    }
}
