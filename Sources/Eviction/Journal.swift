import Dispatch
import EvictorCore

/// The deletion journal of `apply`: JSON lines, mode 0600, every record on disk before
/// `append` returns. Records are written in the order `append` is called, one whole line at
/// a time, on a serial queue of the journal's own: the write and its `fsync` never hold up
/// the event loop that carries the registry's answers.
public final class Journal: Sendable {
    public let path: String
    private let file: JSONLinesFile
    private let queue: DispatchQueue

    public init(path: String) throws(EvictorCoreError) {
        self.file = try JSONLinesFile(path: path)
        self.path = path
        self.queue = DispatchQueue(label: "evictor.journal")
    }

    /// Appends one record and waits until it is on disk.
    public func append(_ record: JournalRecord) async throws(EvictorCoreError) {
        let file = self.file
        try await BlockingWork.run(on: queue) { () throws(EvictorCoreError) in try file.append(record) }
    }

    /// Reads every record; a last line cut short by a crash is ignored.
    public static func read(_ path: String) throws(EvictorCoreError) -> [JournalRecord] {
        try JSONLinesFile.read(JournalRecord.self, from: path) { .invalidJournal(path, reason: $0) }
    }
}
