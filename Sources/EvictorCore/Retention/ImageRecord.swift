import Foundation

/// A blob a manifest references (its config or a layer), with its size.
public struct BlobUse: Sendable, Hashable, Codable {
    public var digest: Digest
    public var size: Int64

    public init(digest: Digest, size: Int64) {
        self.digest = digest
        self.size = size
    }
}

/// What a policy and the safety rails need to know about one manifest in a repository.
public struct ImageRecord: Sendable, Hashable, Codable {
    public var digest: Digest
    public var mediaType: String
    /// Image creation time: the config's `created`; for an index its newest child; else the
    /// `org.opencontainers.image.created` annotation or label.
    public var created: Date?
    /// Bytes of the manifest itself.
    public var manifestSize: Int64
    /// Manifest, config and layers; for an index, the manifest plus its children's sizes.
    public var size: Int64
    /// `os/arch[/variant]` of the image, or of every child of an index.
    public var platforms: [String]
    public var labels: [String: String]
    /// Manifests an index lists (empty for an image).
    public var children: [Digest]
    /// Config and layers of an image (empty for an index).
    public var blobs: [BlobUse]
    /// The manifest this one refers to (a signature, SBOM or attestation), if any.
    public var subject: Digest?
    public var isIndex: Bool

    public init(
        digest: Digest, mediaType: String, created: Date? = nil, manifestSize: Int64 = 0, size: Int64 = 0,
        platforms: [String] = [], labels: [String: String] = [:], children: [Digest] = [], blobs: [BlobUse] = [],
        subject: Digest? = nil, isIndex: Bool = false
    ) {
        self.digest = digest
        self.mediaType = mediaType
        self.created = created
        self.manifestSize = manifestSize
        self.size = size
        self.platforms = platforms
        self.labels = labels
        self.children = children
        self.blobs = blobs
        self.subject = subject
        self.isIndex = isIndex
    }
}
