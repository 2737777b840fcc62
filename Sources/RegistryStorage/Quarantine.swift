import EvictorCore
import Foundation

/// Where fixes put what they take out of a store: never unlinked, moved into
/// `QUARANTINE/<UTC time>/files/<path>` with a record of every move (`moves.jsonl`, each line
/// flushed before its move), so `revert` can put everything back byte for byte. The quarantine
/// is on the store's own driver, or (`init(localDirectory:layout:)`) on local disk whatever the
/// store: then the record is on disk too, and files are streamed across (see `QuarantineMover`).
public struct Quarantine: Sendable {
    public struct Move: Sendable, Codable, Hashable {
        /// Relative to `docker/registry/v2`.
        public var path: String
        public var reason: String
        public var fixer: String

        public init(path: String, reason: String, fixer: String) {
            self.path = path
            self.reason = reason
            self.fixer = fixer
        }
    }

    /// The quarantine directory, in its driver's namespace (for a quarantine on an object
    /// store: a key prefix in the store's bucket).
    public let directory: String
    public let layout: StorageLayout
    private let mover: QuarantineMover

    /// A quarantine on the store's own driver: a directory for a store on disk, a key prefix in
    /// the same bucket for a store in one.
    public init(directory: String, layout: StorageLayout) {
        // Keys in a bucket have no leading `/`; another driver's absolute paths keep theirs (as in `StorageLayout`).
        let kept = directory.hasPrefix("/") && !(layout.driver is S3StorageDriver) ? "/" : ""
        self.directory =
            layout.driver is LocalStorageDriver
            ? URL(fileURLWithPath: directory).standardizedFileURL.path : kept + directory.split(separator: "/").joined(separator: "/")
        self.layout = layout
        mover = QuarantineMover(store: layout.driver, files: layout.driver, transfer: nil)
    }

    /// A quarantine in the directory `localDirectory` on local disk (relative to the working
    /// directory), whatever the store; for a store on disk the same as `init(directory:layout:)`.
    /// Throws when the store's driver cannot stream its files to disk.
    public init(localDirectory: String, layout: StorageLayout) throws(StorageError) {
        guard !(layout.driver is LocalStorageDriver) else {
            self.init(directory: localDirectory, layout: layout)
            return
        }
        guard let transfer = layout.driver as? any LocalFileTransfer else {
            throw .invalidAction("\(layout.location): a quarantine on local disk needs a store whose files can be streamed to it")
        }
        self.init(
            resolved: URL(fileURLWithPath: localDirectory).standardizedFileURL.path, layout: layout,
            mover: QuarantineMover(store: layout.driver, files: LocalStorageDriver(), transfer: transfer))
    }

    private init(resolved directory: String, layout: StorageLayout, mover: QuarantineMover) {
        self.directory = directory
        self.layout = layout
        self.mover = mover
    }

    /// The store's driver.
    private var store: any StorageDriver { layout.driver }
    /// The quarantine's driver.
    private var files: any StorageDriver { mover.files }

    /// Reserves a new session directory named `stamp` (or `stamp-002`, ...): two sessions in
    /// one second must not share one. Returns the session's name for `move`.
    public func newSession(_ stamp: String) throws(StorageError) -> String {
        URL(fileURLWithPath: try files.makeUniqueDirectory("\(directory)/\(stamp)")).lastPathComponent
    }

    /// Moves every path (a path inside an already moved one is skipped); returns the session
    /// directory and the moves made. Once `stop` is requested no further path moves (each
    /// move is recorded before it is made, so `revert` and a rerun both stay exact).
    public func move(_ moves: [Move], session: String, stop: StopRequest? = nil) throws(StorageError) -> (String, [Move]) {
        let sessionDirectory = "\(directory)/\(session)"
        let record = try MoveRecord(path: "\(sessionDirectory)/moves.jsonl", driver: files)
        var done: [Move] = []
        var moved: Set<String> = []
        for move in moves.sorted(by: { $0.path < $1.path }) {
            if stop?.isRequested == true { break }
            // Skip a path already moved, or inside one that was (checked ancestor by ancestor).
            let components = move.path.split(separator: "/")
            if (1...components.count).contains(where: { moved.contains(components.prefix($0).joined(separator: "/")) }) { continue }
            let source = layout.path(move.path)
            guard try store.exists(source) else { continue }
            try record.append(move)
            do {
                try mover.moveOut(source, to: "\(sessionDirectory)/files/\(move.path)")
            } catch {
                throw .cannotWrite(source, reason: "cannot move into the quarantine: \(error.description)")
            }
            done.append(move)
            moved.insert(move.path)
        }
        return (sessionDirectory, done)
    }

    public struct RevertResult: Sendable {
        public var restored: [String] = []
        /// Paths not put back because something is there now.
        public var conflicts: [String] = []
        public var sessions = 0
    }

    /// Puts back every move of every session not yet reverted, newest session first.
    public func revert() throws(StorageError) -> RevertResult {
        var result = RevertResult()
        var sessions: [String] = []
        for session in try files.list(directory) where try MoveRecord.exists("\(directory)/\(session)/moves.jsonl", driver: files) {
            sessions.append(session)
        }
        for session in sessions.sorted().reversed() {
            let sessionDirectory = "\(directory)/\(session)"
            let moves = try MoveRecord.read("\(sessionDirectory)/moves.jsonl", driver: files)
            let conflictsBefore = result.conflicts.count
            for move in moves.reversed() {
                let stored = "\(sessionDirectory)/files/\(move.path)"
                guard try files.exists(stored) else { continue }
                let original = layout.path(move.path)
                if try store.exists(original) {
                    switch try reconcile(stored, with: original) {
                    case .conflict: result.conflicts.append(move.path)
                    case .movedBack: result.restored.append(move.path)
                    case .leftover: break
                    }
                    continue
                }
                do {
                    try mover.moveIn(stored, to: original)
                } catch {
                    throw .cannotWrite(original, reason: "cannot move back: \(error.description)")
                }
                result.restored.append(move.path)
            }
            // Only this session's conflicts keep its record for another revert.
            if result.conflicts.count == conflictsBefore {
                try? MoveRecord.markReverted("\(sessionDirectory)/moves.jsonl", as: "\(sessionDirectory)/moves.reverted.jsonl", driver: files)
                // Streamed moves can leave partial downloads and empty directories behind.
                if mover.transfer != nil, try files.walk("\(sessionDirectory)/files").isEmpty { try files.delete("\(sessionDirectory)/files") }
            }
            result.sessions += 1
        }
        return result
    }

    private enum Reconciled { case conflict, movedBack, leftover }

    /// A quarantined path whose original exists again. On disk a move is one rename, so that
    /// is a conflict. Into or out of an object store a move is copies, then deletes: a kill
    /// between them leaves files in both places, and the rerun moves what was left into a newer
    /// session. There, files identical in both places are such leftovers (the quarantined copy
    /// goes), files missing from the original go back, and only a file that differs (or cannot
    /// be compared) is a conflict, in which case nothing is touched.
    private func reconcile(_ stored: String, with original: String) throws(StorageError) -> Reconciled {
        guard !(store is LocalStorageDriver) else { return .conflict }
        let found = try files.size(stored) != nil ? [""] : try files.walk(stored).map { "/\($0.path)" }
        var missing: [String] = []
        var identical: [String] = []
        for file in found {
            if try store.size(original + file) == nil {
                missing.append(file)
            } else if try mover.sameContent(stored + file, original + file) == true {
                identical.append(file)
            } else {
                return .conflict
            }
        }
        for file in missing { try mover.moveIn(stored + file, to: original + file) }
        for file in identical { try files.delete(stored + file) }
        return missing.isEmpty ? .leftover : .movedBack
    }
}
