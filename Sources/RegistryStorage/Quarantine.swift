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

    public let directory: URL
    public let layout: StorageLayout

    public init(directory: String, layout: StorageLayout) {
        self.directory = URL(fileURLWithPath: directory).standardizedFileURL
        self.layout = layout
    }

    /// Reserves a new session directory named `stamp` (or `stamp-002`, ...): two sessions in
    /// one second must not share one. Returns the session's name for `move`.
    public func newSession(_ stamp: String) throws(StorageError) -> String {
        let base = directory.appendingPathComponent(stamp).path
        do {
            return URL(fileURLWithPath: try UniquePath.makeDirectory(base)).lastPathComponent
        } catch {
            throw .cannotWrite(base, reason: error.description)
        }
    }

    /// Moves every path (a path inside an already moved one is skipped); returns the session
    /// directory and the moves made. Once `stop` is requested no further path moves (each
    /// move is recorded before it is made, so `revert` and a rerun both stay exact).
    public func move(_ moves: [Move], session: String, stop: StopRequest? = nil) throws(StorageError) -> (URL, [Move]) {
        let sessionDirectory = directory.appendingPathComponent(session)
        let fileManager = FileManager.default
        do {
            try fileManager.createDirectory(
                at: sessionDirectory.appendingPathComponent("files"), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .cannotWrite(sessionDirectory.path, reason: error.localizedDescription)
        }
        let record: JSONLinesFile
        do { record = try JSONLinesFile(path: sessionDirectory.appendingPathComponent("moves.jsonl").path) } catch {
            throw .cannotWrite(sessionDirectory.path, reason: error.description)
        }
        var done: [Move] = []
        var moved: Set<String> = []
        for move in moves.sorted(by: { $0.path < $1.path }) {
            if stop?.isRequested == true { break }
            // Skip a path already moved, or inside one that was (checked ancestor by ancestor).
            let components = move.path.split(separator: "/")
            if (1...components.count).contains(where: { moved.contains(components.prefix($0).joined(separator: "/")) }) { continue }
            let source = layout.v2.appendingPathComponent(move.path)
            guard fileManager.fileExists(atPath: source.path) || (try? fileManager.destinationOfSymbolicLink(atPath: source.path)) != nil else {
                continue
            }
            let target = sessionDirectory.appendingPathComponent("files/\(move.path)")
            do { try record.append(move) } catch { throw .cannotWrite(record.path, reason: error.description) }
            do {
                try fileManager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try fileManager.moveItem(at: source, to: target)
            } catch {
                throw .cannotWrite(source.path, reason: "cannot move into the quarantine: \(error.localizedDescription)")
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
        let fileManager = FileManager.default
        let sessions = FileSystem.list(directory.path).filter {
            fileManager.fileExists(atPath: directory.appendingPathComponent("\($0)/moves.jsonl").path)
        }.sorted().reversed()
        for session in sessions {
            let sessionDirectory = directory.appendingPathComponent(session)
            let movesFile = sessionDirectory.appendingPathComponent("moves.jsonl").path
            let moves: [Move]
            do { moves = try JSONLinesFile.read(Move.self, from: movesFile) { .invalidJournal(movesFile, reason: $0) } } catch {
                throw .cannotRead(movesFile, reason: error.description)
            }
            let conflictsBefore = result.conflicts.count
            for move in moves.reversed() {
                let stored = sessionDirectory.appendingPathComponent("files/\(move.path)")
                guard fileManager.fileExists(atPath: stored.path) else { continue }
                let original = layout.v2.appendingPathComponent(move.path)
                if fileManager.fileExists(atPath: original.path) {
                    result.conflicts.append(move.path)
                    continue
                }
                do {
                    try fileManager.createDirectory(at: original.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try fileManager.moveItem(at: stored, to: original)
                } catch {
                    throw .cannotWrite(original.path, reason: "cannot move back: \(error.localizedDescription)")
                }
                result.restored.append(move.path)
            }
            // Only this session's conflicts keep its record for another revert.
            if result.conflicts.count == conflictsBefore {
                try? fileManager.moveItem(
                    at: sessionDirectory.appendingPathComponent("moves.jsonl"), to: sessionDirectory.appendingPathComponent("moves.reverted.jsonl"))
            }
            result.sessions += 1
        }
        return result
    }
}
