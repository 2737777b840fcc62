import Foundation
import ObjectStorage

/// A store in an S3 bucket, as Distribution's `s3` driver writes it: one object per file,
/// directories only as key prefixes. Paths are keys (no leading `/`). Moves are copies then
/// deletes, one object at a time; any failed request (after the client's retries) throws.
public struct S3StorageDriver: StorageDriver {
    public let client: S3Client
    public let parallelism: Int

    /// `parallelism`: how many requests the walks keep in flight.
    public init(client: S3Client, parallelism: Int = 32) {
        self.client = client
        self.parallelism = parallelism
    }

    public var location: String { client.location }
    public var prefersWalks: Bool { true }

    public func list(_ path: String) throws(StorageError) -> [String] {
        let prefix = Self.directoryPrefix(path)
        let page = try call("list", path) { () throws(S3Error) in try client.list(prefix: prefix, delimiter: "/") }
        let files = page.objects.map { String($0.key.dropFirst(prefix.count)) }
        let directories = page.commonPrefixes.map { String($0.dropFirst(prefix.count).dropLast()) }
        return (files + directories).filter { !$0.isEmpty }
    }

    public func listDirectories(_ path: String) throws(StorageError) -> [String] {
        let prefix = Self.directoryPrefix(path)
        let page = try call("list", path) { () throws(S3Error) in try client.list(prefix: prefix, delimiter: "/") }
        return page.commonPrefixes.map { String($0.dropFirst(prefix.count).dropLast()) }.filter { !$0.isEmpty }
    }

    public func walk(_ path: String) throws(StorageError) -> [StoredFile] {
        try walk(path, namePrefix: "")
    }

    /// One paged listing of the keys under `path/namePrefix`.
    public func walk(_ path: String, namePrefix: String) throws(StorageError) -> [StoredFile] {
        let prefix = Self.directoryPrefix(path)
        let page = try call("list", path) { () throws(S3Error) in try client.list(prefix: prefix + namePrefix) }
        return page.objects.map { StoredFile(path: String($0.key.dropFirst(prefix.count)), size: $0.size, etag: $0.etag) }
    }

    public func read(_ path: String, limit: Int) throws(StorageError) -> [UInt8]? {
        guard let bytes = try call("read", path, { () throws(S3Error) in try client.get(path) }) else { return nil }
        return bytes.count > limit ? nil : bytes
    }

    public func size(_ path: String) throws(StorageError) -> Int64? {
        try call("read", path) { () throws(S3Error) in try client.head(path) }
    }

    public func exists(_ path: String) throws(StorageError) -> Bool {
        if try size(path) != nil { return true }
        return try isDirectory(path)
    }

    public func isDirectory(_ path: String) throws(StorageError) -> Bool {
        let prefix = Self.directoryPrefix(path)
        let page = try call("list", path) { () throws(S3Error) in
            try client.listPage(prefix: prefix, delimiter: nil, continuationToken: nil, maxKeys: 1)
        }
        return !page.objects.isEmpty
    }

    public func write(_ path: String, _ bytes: [UInt8]) throws(StorageError) {
        try call("write", path) { () throws(S3Error) in try client.put(path, bytes) }
    }

    /// Objects cannot be appended to: the record is read and stored again whole.
    public func append(_ bytes: [UInt8], to path: String) throws(StorageError) {
        let before = try read(path, limit: 64 << 20) ?? []
        try write(path, before + bytes)
    }

    public func move(_ source: String, to destination: String) throws(StorageError) {
        var found: [(String, String)] = []
        if try size(source) != nil { found.append((source, destination)) }
        for file in try walk(source) { found.append(("\(source)/\(file.path)", "\(destination)/\(file.path)")) }
        let pairs = found
        guard !pairs.isEmpty else { throw .notFound(source) }
        // Every copy first, then the deletes: a failure part way leaves both copies, never none.
        try ParallelWork.perform(pairs.count, width: parallelism) { index throws(StorageError) in
            let (from, to) = pairs[index]
            try call("copy", from) { () throws(S3Error) in try client.copy(from, to: to) }
        }
        try ParallelWork.perform(pairs.count, width: parallelism) { index throws(StorageError) in
            let from = pairs[index].0
            try call("delete", from) { () throws(S3Error) in try client.delete(from) }
        }
    }

    public func delete(_ path: String) throws(StorageError) {
        let keys = try walk(path).map { "\(path)/\($0.path)" } + [path]
        try ParallelWork.perform(keys.count, width: parallelism) { index throws(StorageError) in
            let key = keys[index]
            try call("delete", key) { () throws(S3Error) in try client.delete(key) }
        }
    }

    public func makeUniqueDirectory(_ base: String) throws(StorageError) -> String {
        for index in 1...999 {
            let candidate = index == 1 ? base : "\(base)-\(String(format: "%03d", index))"
            if try !isDirectory(candidate) {
                try write("\(candidate)/session", Array("\(candidate)\n".utf8))
                return candidate
            }
        }
        throw .cannotWrite(base, reason: "no free name")
    }

    /// `path/` (or "" for the top of the bucket).
    static func directoryPrefix(_ path: String) -> String {
        let trimmed = path.split(separator: "/").joined(separator: "/")
        return trimmed.isEmpty ? "" : "\(trimmed)/"
    }

    func call<Value>(_ what: String, _ path: String, _ body: () throws(S3Error) -> Value) throws(StorageError) -> Value {
        do { return try body() } catch { throw .backend(error.description) }
    }
}
