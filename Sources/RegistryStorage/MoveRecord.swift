import EvictorCore
import Foundation

/// A quarantine session's `moves.jsonl`: one JSON line per move, stored before the move is
/// made. On disk a locked, fsynced `JSONLinesFile`; on another driver each append stores the
/// whole record again (a session moves a handful of paths).
struct MoveRecord {
    let path: String
    private let driver: any StorageDriver
    private let file: JSONLinesFile?

    init(path: String, driver: any StorageDriver) throws(StorageError) {
        self.path = path
        self.driver = driver
        if driver is LocalStorageDriver {
            do {
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700])
                file = try JSONLinesFile(path: path)
            } catch let error as EvictorCoreError {
                throw .cannotWrite(path, reason: error.description)
            } catch {
                throw .cannotWrite(path, reason: error.localizedDescription)
            }
        } else {
            file = nil
        }
    }

    func append(_ move: Quarantine.Move) throws(StorageError) {
        if let file {
            do { try file.append(move) } catch { throw .cannotWrite(path, reason: error.description) }
            return
        }
        let line: Data
        do { line = try VersionedDocument.encoder(pretty: false).encode(move) + Data("\n".utf8) } catch {
            throw .cannotWrite(path, reason: "cannot encode a record")
        }
        try driver.append(Array(line), to: path)
    }

    /// Every move recorded at `path`; a last line cut short by a kill is ignored.
    static func read(_ path: String, driver: any StorageDriver) throws(StorageError) -> [Quarantine.Move] {
        if driver is LocalStorageDriver {
            do { return try JSONLinesFile.read(Quarantine.Move.self, from: path) { .invalidJournal(path, reason: $0) } } catch {
                throw .cannotRead(path, reason: error.description)
            }
        }
        guard let bytes = try driver.read(path, limit: 64 << 20) else { return [] }
        var moves: [Quarantine.Move] = []
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (number, line) in lines.enumerated() where !line.isEmpty && number < lines.count - 1 {
            do { moves.append(try JSONDecoder().decode(Quarantine.Move.self, from: Data(line))) } catch {
                throw .cannotRead(path, reason: "line \(number + 1) is not a move record")
            }
        }
        return moves
    }
}
