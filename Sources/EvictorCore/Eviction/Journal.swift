import Foundation

/// An append-only deletion journal: JSON lines, mode 0600, every line flushed to disk
/// (`fsync`) before `append` returns, so a record is durable before the action it announces.
public actor Journal {
    public let path: String
    private let descriptor: Int32

    public init(path: String) throws(EvictorCoreError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotWrite(path, reason: String(cString: strerror(errno))) }
        fchmod(fd, 0o600)
        self.path = path
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// Appends one record and waits until it is on disk.
    public func append(_ record: JournalRecord) throws(EvictorCoreError) {
        let data: Data
        do { data = try VersionedDocument.encoder(pretty: false).encode(record) + Data("\n".utf8) } catch {
            throw .cannotWrite(path, reason: "cannot encode a journal record")
        }
        var failure: String?
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        if let failure { throw .cannotWrite(path, reason: failure) }
    }

    /// Reads every record. A last line cut short by a crash is ignored; any other line that
    /// is not a record is an error naming the line.
    public static func read(_ path: String) throws(EvictorCoreError) -> [JournalRecord] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .cannotRead(path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        let decoder = VersionedDocument.decoder()
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        var records: [JournalRecord] = []
        for (number, line) in lines.enumerated() where !line.isEmpty {
            do {
                records.append(try decoder.decode(JournalRecord.self, from: Data(line)))
            } catch {
                let isLast = number == lines.count - 1
                if isLast { break }  // no newline: the write was interrupted
                throw .invalidJournal(path, reason: "line \(number + 1) is not a journal record")
            }
        }
        return records
    }
}
