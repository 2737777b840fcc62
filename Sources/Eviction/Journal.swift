import EvictorCore
/// The deletion journal of `apply`: JSON lines, mode 0600, every record on disk before
/// `append` returns. An actor, so concurrent deletes append whole lines in turn.
public actor Journal {
    public nonisolated let path: String
    private let file: JSONLinesFile

    public init(path: String) throws(EvictorCoreError) {
        self.file = try JSONLinesFile(path: path)
        self.path = path
    }

    /// Appends one record and waits until it is on disk.
    public func append(_ record: JournalRecord) throws(EvictorCoreError) {
        try file.append(record)
    }

    /// Reads every record; a last line cut short by a crash is ignored.
    public static func read(_ path: String) throws(EvictorCoreError) -> [JournalRecord] {
        try JSONLinesFile.read(JournalRecord.self, from: path) { .invalidJournal(path, reason: $0) }
    }
}
