import EvictorCore
import Foundation

/// The CNCF Distribution filesystem layout under a storage root:
/// `docker/registry/v2/{blobs/sha256/<ab>/<hex>/data, repositories/<name>/{_layers,_manifests,_uploads}}`.
public struct StorageLayout: Sendable {
    /// The `docker/registry/v2` directory.
    public let v2: URL
    /// The same, as a path string (the walks build paths by concatenation).
    public let v2Path: String

    /// `path` is the registry's `rootdirectory`, or its `docker/registry/v2` directory.
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
        self.v2 = v2
        self.v2Path = v2.path
    }

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

    /// Digests with a valid revision link in `repository` (every manifest the registry will
    /// serve by digest, tagged or not).
    public func revisionDigests(of repository: String) -> [Digest] {
        revisionLinks(of: repository).valid
    }

    /// The digest a 71-byte link file names, or nil when it is missing or malformed.
    public static func readLink(_ url: URL) -> Digest? {
        readLink(path: url.path)
    }

    static func readLink(path: String) -> Digest? {
        guard let bytes = FileSystem.read(path, limit: 200) else { return nil }
        return try? Digest(parsing: String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
