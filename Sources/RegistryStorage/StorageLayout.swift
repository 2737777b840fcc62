import EvictorCore
import Foundation

/// The CNCF Distribution storage layout under a storage root, on any `StorageDriver`:
/// `docker/registry/v2/{blobs/sha256/<ab>/<hex>/data, repositories/<name>/{_layers,_manifests,_uploads}}`.
public struct StorageLayout: Sendable {
    /// Where the files are.
    public let driver: any StorageDriver
    /// The `docker/registry/v2` directory (on disk; for another driver, its path as a file URL).
    public let v2: URL
    /// The same in the driver's namespace (the walks build paths by concatenation).
    public let v2Path: String

    /// `path` is the registry's `rootdirectory`, or its `docker/registry/v2` directory, on disk.
    public init(root path: String) throws(StorageError) {
        let given = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: given.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .notAStore(path, reason: "no such directory")
        }
        let candidates = [given.appendingPathComponent("docker/registry/v2"), given]
        guard
            let v2 = candidates.first(where: {
                FileManager.default.fileExists(atPath: $0.appendingPathComponent("repositories").path)
                    || FileManager.default.fileExists(atPath: $0.appendingPathComponent("blobs").path)
            })
        else {
            throw .notAStore(path, reason: "neither docker/registry/v2/repositories nor blobs found")
        }
        self.driver = LocalStorageDriver()
        self.v2 = v2
        self.v2Path = v2.path
    }

    /// A store on `driver` whose root (the registry's `rootdirectory`, in the driver's
    /// namespace; "" for the top of a bucket) holds `docker/registry/v2`.
    public init(driver: any StorageDriver, root: String) throws(StorageError) {
        // Keys have no leading `/`; absolute paths on disk keep theirs.
        let components = root.split(separator: "/").map(String.init) + ["docker", "registry", "v2"]
        let v2Path = (root.hasPrefix("/") && !(driver is S3StorageDriver) ? "/" : "") + components.joined(separator: "/")
        let hasRepositories = try driver.isDirectory("\(v2Path)/repositories")
        let hasBlobs = try hasRepositories ? true : driver.isDirectory("\(v2Path)/blobs")
        guard hasBlobs else {
            throw .notAStore("\(driver.location)/\(v2Path)", reason: "neither repositories nor blobs found")
        }
        self.driver = driver
        self.v2Path = v2Path
        self.v2 = URL(fileURLWithPath: "/\(v2Path)")
    }

    /// Where the store is, for messages.
    public var location: String { driver is LocalStorageDriver ? v2Path : "\(driver.location)/\(v2Path)" }

    public var repositoriesDirectory: URL { v2.appendingPathComponent("repositories") }

    public func repositoryDirectory(_ name: String) -> URL { repositoriesDirectory.appendingPathComponent(name) }

    /// `blobs/sha256/<ab>/<hex>/data`.
    public func blobData(_ digest: Digest) -> URL {
        URL(fileURLWithPath: blobDataPath(digest), isDirectory: false)
    }

    public func blobDataPath(_ digest: Digest) -> String {
        "\(v2Path)/\(Self.blobDataRelativePath(digest))"
    }

    /// `blobs/sha256/<ab>/<hex>/data`, relative to `docker/registry/v2`.
    public static func blobDataRelativePath(_ digest: Digest) -> String {
        "blobs/\(digest.algorithm)/\(digest.hex.prefix(2))/\(digest.hex)/data"
    }

    public func repositoryPath(_ name: String) -> String { "\(v2Path)/repositories/\(name)" }

    /// `relative` (to `docker/registry/v2`) in the driver's namespace.
    public func path(_ relative: String) -> String { "\(v2Path)/\(relative)" }

    /// Digests with a valid revision link in `repository` (every manifest the registry will
    /// serve by digest, tagged or not).
    public func revisionDigests(of repository: String) throws(StorageError) -> [Digest] {
        try revisionLinks(of: repository).valid
    }

    /// The size of the blob's data; nil when it is not there.
    public func blobSize(_ digest: Digest) throws(StorageError) -> Int64? {
        try driver.size(blobDataPath(digest))
    }

    /// The digest a 71-byte link file on disk names, or nil when it is missing or malformed.
    public static func readLink(_ url: URL) -> Digest? {
        FileSystem.read(url.path, limit: 200).flatMap(parseLink)
    }

    /// The digest the link at `path` names, or nil when it is missing or malformed.
    func readLink(path: String) throws(StorageError) -> Digest? {
        try driver.read(path, limit: 200).flatMap(Self.parseLink)
    }

    static func parseLink(_ bytes: [UInt8]) -> Digest? {
        try? Digest(parsing: String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Runs `body` for `0..<count` in parallel, as wide as the driver asks; the first error is
    /// thrown once every started iteration has finished (no new one starts after it).
    func forEach(_ count: Int, _ body: @Sendable (Int) throws(StorageError) -> Void) throws(StorageError) {
        try ParallelWork.perform(count, width: driver.parallelism, body)
    }
}
