import EvictorCore
import Foundation
import Synchronization

/// A quarantine session's `moves.jsonl`: one JSON line per move, stored before the move is
/// made. On disk a locked, fsynced `JSONLinesFile`; on an object store (no appends) each record
/// is an object of its own, `moves.jsonl.d/NNNNNNNN.json`, so a fix of thousands of paths writes
/// each record once rather than the whole record again per move.
final class MoveRecord {
    let path: String
    private let driver: any StorageDriver
    private let file: JSONLinesFile?
    private let next = Mutex(0)

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
            // Another pass of the same session adds after the records already there.
            let numbers = try driver.list("\(path).d").compactMap { $0.hasSuffix(".json") ? Int($0.dropLast(5)) : nil }
            next.withLock { $0 = (numbers.max() ?? -1) + 1 }
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
        let number = next.withLock { value in
            defer { value += 1 }
            return value
        }
        try driver.write("\(path).d/\(String(format: "%08d", number)).json", Array(line))
    }

    /// Every move recorded at `path`; a last line cut short by a kill is ignored.
    static func read(_ path: String, driver: any StorageDriver) throws(StorageError) -> [Quarantine.Move] {
        if driver is LocalStorageDriver {
            do { return try JSONLinesFile.read(Quarantine.Move.self, from: path) { .invalidJournal(path, reason: $0) } } catch {
                throw .cannotRead(path, reason: error.description)
            }
        }
        var moves: [Quarantine.Move] = []
        // A session written as one object (earlier versions), then the record objects in order.
        if let bytes = try driver.read(path, limit: 64 << 20) {
            let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            for (number, line) in lines.enumerated() where !line.isEmpty && number < lines.count - 1 {
                do { moves.append(try JSONDecoder().decode(Quarantine.Move.self, from: Data(line))) } catch {
                    throw .cannotRead(path, reason: "line \(number + 1) is not a move record")
                }
            }
        }
        for name in try driver.list("\(path).d").filter({ $0.hasSuffix(".json") }).sorted() {
            let part = "\(path).d/\(name)"
            // A record whose write a kill interrupted is absent, never partial (one PUT each).
            guard let bytes = try driver.read(part, limit: 1 << 20) else { continue }
            do { moves.append(try JSONDecoder().decode(Quarantine.Move.self, from: Data(bytes))) } catch {
                throw .cannotRead(part, reason: "not a move record")
            }
        }
        return moves
    }

    /// Whether a session has a record at `path` (one object, or record objects).
    static func exists(_ path: String, driver: any StorageDriver) throws(StorageError) -> Bool {
        if try driver.exists(path) { return true }
        if driver is LocalStorageDriver { return false }
        return try !driver.list("\(path).d").isEmpty
    }

    /// Marks a reverted session: the record moves to `reverted` (on an object store written
    /// there whole, once, and the record objects removed).
    static func markReverted(_ path: String, as reverted: String, driver: any StorageDriver) throws(StorageError) {
        if driver is LocalStorageDriver {
            try driver.move(path, to: reverted)
            return
        }
        var text = Data()
        for move in try read(path, driver: driver) {
            do { text += try VersionedDocument.encoder(pretty: false).encode(move) + Data("\n".utf8) } catch {
                throw .cannotWrite(reverted, reason: "cannot encode a record")
            }
        }
        try driver.write(reverted, Array(text))
        if try driver.exists(path) { try driver.delete(path) }
        for name in try driver.list("\(path).d") { try driver.delete("\(path).d/\(name)") }
    }
}
