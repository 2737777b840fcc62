import EvictorCore
import Foundation

/// Where fixes put what they take out of a store: never unlinked, moved into
/// `QUARANTINE/<UTC time>/files/<path>` with a record of every move (`moves.jsonl`, each line
/// flushed before its move), so `revert` can put everything back byte for byte.
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

    /// The quarantine directory, in the store driver's namespace (on an object store: a key
    /// prefix in the same bucket).
    public let directory: String
    public let layout: StorageLayout

    public init(directory: String, layout: StorageLayout) {
        // Keys in a bucket have no leading `/`; another driver's absolute paths keep theirs (as in `StorageLayout`).
        let kept = directory.hasPrefix("/") && !(layout.driver is S3StorageDriver) ? "/" : ""
        self.directory =
            layout.driver is LocalStorageDriver
            ? URL(fileURLWithPath: directory).standardizedFileURL.path : kept + directory.split(separator: "/").joined(separator: "/")
        self.layout = layout
    }

    private var driver: any StorageDriver { layout.driver }

    /// Reserves a new session directory named `stamp` (or `stamp-002`, ...): two sessions in
    /// one second must not share one. Returns the session's name for `move`.
    public func newSession(_ stamp: String) throws(StorageError) -> String {
        URL(fileURLWithPath: try driver.makeUniqueDirectory("\(directory)/\(stamp)")).lastPathComponent
    }

    /// Moves every path (a path inside an already moved one is skipped); returns the session
    /// directory and the moves made. Once `stop` is requested no further path moves (each
    /// move is recorded before it is made, so `revert` and a rerun both stay exact).
    public func move(_ moves: [Move], session: String, stop: StopRequest? = nil) throws(StorageError) -> (String, [Move]) {
        let sessionDirectory = "\(directory)/\(session)"
        let record = try MoveRecord(path: "\(sessionDirectory)/moves.jsonl", driver: driver)
        var done: [Move] = []
        var moved: Set<String> = []
        for move in moves.sorted(by: { $0.path < $1.path }) {
            if stop?.isRequested == true { break }
            // Skip a path already moved, or inside one that was (checked ancestor by ancestor).
            let components = move.path.split(separator: "/")
            if (1...components.count).contains(where: { moved.contains(components.prefix($0).joined(separator: "/")) }) { continue }
            let source = layout.path(move.path)
            guard try driver.exists(source) else { continue }
            try record.append(move)
            do {
                try driver.move(source, to: "\(sessionDirectory)/files/\(move.path)")
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
        for session in try driver.list(directory) where try MoveRecord.exists("\(directory)/\(session)/moves.jsonl", driver: driver) {
            sessions.append(session)
        }
        for session in sessions.sorted().reversed() {
            let sessionDirectory = "\(directory)/\(session)"
            let moves = try MoveRecord.read("\(sessionDirectory)/moves.jsonl", driver: driver)
            let conflictsBefore = result.conflicts.count
            for move in moves.reversed() {
                let stored = "\(sessionDirectory)/files/\(move.path)"
                guard try driver.exists(stored) else { continue }
                let original = layout.path(move.path)
                if try driver.exists(original) {
                    switch try reconcile(stored, with: original) {
                    case .conflict: result.conflicts.append(move.path)
                    case .movedBack: result.restored.append(move.path)
                    case .leftover: break
                    }
                    continue
                }
                do {
                    try driver.move(stored, to: original)
                } catch {
                    throw .cannotWrite(original, reason: "cannot move back: \(error.description)")
                }
                result.restored.append(move.path)
            }
            // Only this session's conflicts keep its record for another revert.
            if result.conflicts.count == conflictsBefore {
                try? MoveRecord.markReverted("\(sessionDirectory)/moves.jsonl", as: "\(sessionDirectory)/moves.reverted.jsonl", driver: driver)
            }
            result.sessions += 1
        }
        return result
    }

    private enum Reconciled { case conflict, movedBack, leftover }

    /// A quarantined path whose original exists again. On disk a move is one rename, so that
    /// is a conflict. On an object store a move is copies, then deletes: a kill between them
    /// leaves objects in both places, and the rerun moves what was left into a newer session.
    /// There, files identical in both places are such leftovers (the quarantined copy goes),
    /// files missing from the original go back, and only a file that differs (or is too large
    /// to compare) is a conflict, in which case nothing is touched.
    private func reconcile(_ stored: String, with original: String) throws(StorageError) -> Reconciled {
        guard !(driver is LocalStorageDriver) else { return .conflict }
        let files = try driver.size(stored) != nil ? [""] : try driver.walk(stored).map { "/\($0.path)" }
        var missing: [String] = []
        var identical: [String] = []
        for file in files {
            guard let bytes = try driver.read(stored + file, limit: 64 << 20) else { return .conflict }
            if try driver.size(original + file) == nil {
                missing.append(file)
            } else if try driver.read(original + file, limit: 64 << 20) == bytes {
                identical.append(file)
            } else {
                return .conflict
            }
        }
        for file in missing { try driver.move(stored + file, to: original + file) }
        for file in identical { try driver.delete(stored + file) }
        return missing.isEmpty ? .leftover : .movedBack
    }
}
