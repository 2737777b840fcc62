import EvictorCore
import Foundation

/// The CNCF Distribution filesystem layout under a storage root:
/// `docker/registry/v2/{blobs/sha256/<ab>/<hex>/data, repositories/<name>/{_layers,_manifests,_uploads}}`.
public struct StorageLayout: Sendable {
    /// The `docker/registry/v2` directory.
    public let v2: URL

    /// `path` is the registry's `rootdirectory`, or its `docker/registry/v2` directory.
    public init(root path: String) throws(StorageError) {
        let given = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: given.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .notAStore(path, reason: "no such directory")
        }
        let candidates = [given.appendingPathComponent("docker/registry/v2"), given]
        guard let v2 = candidates.first(where: { FileManager.default.fileExists(atPath: $0.appendingPathComponent("repositories").path) || FileManager.default.fileExists(atPath: $0.appendingPathComponent("blobs").path) }) else {
            throw .notAStore(path, reason: "neither docker/registry/v2/repositories nor blobs found")
        }
        self.v2 = v2
    }

    public var repositoriesDirectory: URL { v2.appendingPathComponent("repositories") }

    public func repositoryDirectory(_ name: String) -> URL { repositoriesDirectory.appendingPathComponent(name) }

    /// `blobs/sha256/<ab>/<hex>/data`.
    public func blobData(_ digest: Digest) -> URL {
        v2.appendingPathComponent("blobs/\(digest.algorithm)/\(digest.hex.prefix(2))/\(digest.hex)/data")
    }

    /// Digests with a revision link in `repository` (every manifest the registry will serve by
    /// digest, tagged or not). A link file that does not name its directory's digest is skipped.
    public func revisionDigests(of repository: String) throws(StorageError) -> [Digest] {
        let directory = repositoryDirectory(repository).appendingPathComponent("_manifests/revisions/sha256")
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
            throw .cannotRead(directory.path, reason: "\(error.localizedDescription)")
        }
        return names.compactMap { hex in
            guard let digest = try? Digest(parsing: "sha256:\(hex)"), let link = Self.readLink(directory.appendingPathComponent("\(hex)/link")), link == digest else { return nil }
            return digest
        }.sorted()
    }

    /// The digest a 71-byte link file names, or nil when it is missing or malformed.
    public static func readLink(_ url: URL) -> Digest? {
        guard let data = FileManager.default.contents(atPath: url.path), data.count <= 200,
              let text = String(data: data, encoding: .utf8) else { return nil }
        return try? Digest(parsing: text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
