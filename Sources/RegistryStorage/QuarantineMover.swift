import EvictorCore
import Foundation

/// How a quarantine moves paths out of a store and back. On one driver (the store's) that is
/// the driver's own move. Between a store that is not on local disk and a quarantine that is,
/// each file is streamed: downloaded into a hidden `.NAME.partial` beside its destination,
/// fsynced, its size checked, renamed into place; only once every file of the path is there
/// are the store's objects deleted. Back, each file is uploaded, its size checked, and only
/// then the local files removed. A kill part way leaves a file in both places (which
/// `Quarantine.revert` recognises as a leftover) or a partial file (which nothing reads).
struct QuarantineMover: Sendable {
    /// The store's driver.
    let store: any StorageDriver
    /// Where the quarantine is: the store's driver, or local disk.
    let files: any StorageDriver
    /// The store's driver when files cross between it and local disk.
    let transfer: (any LocalFileTransfer)?

    /// The largest file compared by reading it whole; larger ones are compared by sha256
    /// across drivers, and are a conflict on one object store.
    static let compareLimit = 64 << 20

    /// A file to copy: from, to, and its size.
    typealias FilePair = (from: String, to: String, size: Int64)

    /// Moves the store's file or directory `source` to `destination` in the quarantine.
    func moveOut(_ source: String, to destination: String) throws(StorageError) {
        guard let transfer else { return try store.move(source, to: destination) }
        let found = try Self.files(source, on: transfer, to: destination)
        try ParallelWork.perform(found.count, width: transfer.parallelism) { index throws(StorageError) in
            try download(found[index].from, to: found[index].to, expecting: found[index].size, from: transfer)
        }
        // Every copy is in place before the first delete: a failure part way leaves both copies, never none.
        try ParallelWork.perform(found.count, width: transfer.parallelism) { index throws(StorageError) in
            try transfer.deleteFile(found[index].from)
        }
    }

    /// Moves the quarantined file or directory `source` back to `destination` in the store.
    func moveIn(_ source: String, to destination: String) throws(StorageError) {
        guard let transfer else { return try store.move(source, to: destination) }
        // The local walk skips hidden names: a partial download is never uploaded.
        let found = try Self.files(source, on: files, to: destination)
        try ParallelWork.perform(found.count, width: transfer.parallelism) { index throws(StorageError) in
            let (from, to, size) = found[index]
            try transfer.upload(from, to: to)
            let stored = try transfer.size(to)
            guard stored == size else {
                throw .cannotWrite("\(transfer.location)/\(to)", reason: "stored \(stored.map(String.init) ?? "no") bytes of \(size) from \(from)")
            }
        }
        try files.delete(source)
    }

    /// Whether the quarantined file `stored` holds exactly what the store's `original` holds;
    /// nil when that cannot be told (too large to compare on one object store).
    func sameContent(_ stored: String, _ original: String) throws(StorageError) -> Bool? {
        guard let size = try files.size(stored), let originalSize = try store.size(original) else { return nil }
        guard size == originalSize else { return false }
        if size <= Self.compareLimit {
            guard let bytes = try files.read(stored, limit: Self.compareLimit) else { return nil }
            return try store.read(original, limit: Self.compareLimit) == bytes
        }
        guard let transfer, let local = Digest.sha256(ofFileAt: stored) else { return nil }
        return try transfer.download(original, to: nil)?.sha256 == local.hex
    }

    /// The file `source`, or every file below it, with where each goes under `destination`.
    private static func files(_ source: String, on driver: any StorageDriver, to destination: String) throws(StorageError) -> [FilePair] {
        var pairs: [FilePair] = []
        if let size = try driver.size(source) { pairs.append((source, destination, size)) }
        for file in try driver.walk(source) { pairs.append(("\(source)/\(file.path)", "\(destination)/\(file.path)", file.size)) }
        guard !pairs.isEmpty else { throw .notFound(source) }
        return pairs
    }

    /// One file from the store into the local file `destination`, through a partial file.
    private func download(_ source: String, to destination: String, expecting size: Int64, from transfer: any LocalFileTransfer)
        throws(StorageError)
    {
        let directory = (destination as NSString).deletingLastPathComponent
        let partial = "\(directory)/.\((destination as NSString).lastPathComponent).partial"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .cannotWrite(directory, reason: error.localizedDescription)
        }
        guard let received = try transfer.download(source, to: partial) else { throw .notFound("\(transfer.location)/\(source)") }
        guard received.size == size else {
            unlink(partial)
            throw .cannotRead("\(transfer.location)/\(source)", reason: "\(received.size) bytes copied, the listing said \(size)")
        }
        guard rename(partial, destination) == 0 else {
            throw .cannotWrite(destination, reason: "cannot rename \(partial) into place: \(String(cString: strerror(errno)))")
        }
        // The rename itself made durable.
        let descriptor = open(directory, O_RDONLY | O_CLOEXEC)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
    }
}
