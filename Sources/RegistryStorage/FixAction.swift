import EvictorCore

/// A change a fixer asks for. The engine turns it into a move into the quarantine.
public struct FixAction: Sendable, Codable, Hashable {
    public enum Kind: String, Sendable, Codable {
        case dropTag = "drop_tag"
        case dropRevision = "drop_revision"
        case dropLayerLink = "drop_layer_link"
        case quarantineBlob = "quarantine_blob"
        case quarantine
    }

    public var kind: Kind
    public var repository: String?
    public var tag: String?
    public var digest: String?
    /// For `quarantine`: a path relative to `docker/registry/v2`.
    public var path: String?
    public var reason: String
    public var fixer: String

    public init(kind: Kind, repository: String? = nil, tag: String? = nil, digest: String? = nil, path: String? = nil, reason: String, fixer: String)
    {
        self.kind = kind
        self.repository = repository
        self.tag = tag
        self.digest = digest
        self.path = path
        self.reason = reason
        self.fixer = fixer
    }

    /// The path the action moves, relative to `docker/registry/v2`; refuses anything that
    /// could leave the store (`..`, absolute paths, empty components).
    public func relativePath() throws(StorageError) -> String {
        let path: String
        switch kind {
        case .dropTag:
            guard let repository, let tag else { throw .invalidAction("\(fixer): drop_tag needs a repository and a tag") }
            path = "repositories/\(repository)/_manifests/tags/\(tag)"
        case .dropRevision, .dropLayerLink:
            guard let repository, let text = digest, let digest = try? Digest(parsing: text) else {
                throw .invalidAction("\(fixer): \(kind.rawValue) needs a repository and a sha256 digest")
            }
            path =
                "repositories/\(repository)/" + (kind == .dropRevision ? "_manifests/revisions/sha256/\(digest.hex)" : "_layers/sha256/\(digest.hex)")
        case .quarantineBlob:
            guard let text = digest, let digest = try? Digest(parsing: text) else {
                throw .invalidAction("\(fixer): quarantine_blob needs a sha256 digest")
            }
            path = "blobs/sha256/\(digest.hex.prefix(2))/\(digest.hex)"
        case .quarantine:
            guard let given = self.path else { throw .invalidAction("\(fixer): quarantine needs a path") }
            path = given
        }
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.hasPrefix("/"), !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw .invalidAction("\(fixer): refused path '\(path.prefix(200))' (must stay inside the store)")
        }
        return path
    }
}
