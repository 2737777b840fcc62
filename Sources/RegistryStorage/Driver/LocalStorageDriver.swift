import EvictorCore
import Foundation

/// A store in a local directory tree: plain POSIX calls on string paths for the walks (see
/// `FileSystem`), `FileManager` for the rare writes. A file that cannot be read reads as
/// missing, as the walks always treated it.
public struct LocalStorageDriver: StorageDriver {
    public init() {}

    public var location: String { "local disk" }
    public var parallelism: Int { 0 }

    public func list(_ path: String) throws(StorageError) -> [String] {
        FileSystem.list(path)
    }

    public func listDirectories(_ path: String) throws(StorageError) -> [String] {
        FileSystem.list(path).filter { FileSystem.isDirectory("\(path)/\($0)") }
    }

    public func walk(_ path: String) throws(StorageError) -> [StoredFile] {
        var files: [StoredFile] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let directory = relative.isEmpty ? path : "\(path)/\(relative)"
            for name in FileSystem.list(directory) {
                let child = relative.isEmpty ? name : "\(relative)/\(name)"
                if let size = FileSystem.size("\(path)/\(child)") {
                    files.append(StoredFile(path: child, size: size))
                } else if FileSystem.isDirectory("\(path)/\(child)") {
                    pending.append(child)
                }
            }
        }
        return files
    }

    public func read(_ path: String, limit: Int) throws(StorageError) -> [UInt8]? {
        FileSystem.read(path, limit: limit)
    }

    public func size(_ path: String) throws(StorageError) -> Int64? {
        FileSystem.size(path)
    }

    public func exists(_ path: String) throws(StorageError) -> Bool {
        FileSystem.exists(path)
    }

    public func isDirectory(_ path: String) throws(StorageError) -> Bool {
        FileSystem.isDirectory(path)
    }

    public func write(_ path: String, _ bytes: [UInt8]) throws(StorageError) {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw .cannotWrite(path, reason: error.localizedDescription)
        }
    }

    public func append(_ bytes: [UInt8], to path: String) throws(StorageError) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .cannotWrite(path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else { throw .cannotWrite(path, reason: String(cString: strerror(errno))) }
    }

    public func move(_ source: String, to destination: String) throws(StorageError) {
        let target = URL(fileURLWithPath: destination)
        do {
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.moveItem(at: URL(fileURLWithPath: source), to: target)
        } catch {
            throw .cannotWrite(source, reason: "cannot move to \(destination): \(error.localizedDescription)")
        }
    }

    public func delete(_ path: String) throws(StorageError) {
        guard FileSystem.exists(path) else { return }
        do { try FileManager.default.removeItem(atPath: path) } catch { throw .cannotWrite(path, reason: error.localizedDescription) }
    }

    public func makeUniqueDirectory(_ base: String) throws(StorageError) -> String {
        do { return try UniquePath.makeDirectory(base) } catch { throw .cannotWrite(base, reason: error.description) }
    }
}
