/// The kinds of damage `evictor storage scan` finds.
public enum StorageProblem: String, Sendable, Codable, CaseIterable {
    /// A tag's `current/link` is missing or malformed.
    case tagLinkBroken = "tag-link-broken"
    /// A tag names a digest the repository has no revision link for.
    case tagRevisionMissing = "tag-revision-missing"
    /// A tag names a manifest whose blob data is gone.
    case tagBlobMissing = "tag-blob-missing"
    /// A revision link is malformed or does not name its directory's digest.
    case revisionLinkBroken = "revision-link-broken"
    /// A revision link to a manifest whose blob data is gone.
    case revisionBlobMissing = "revision-blob-missing"
    /// A manifest blob that does not hash to its digest.
    case manifestDigestMismatch = "manifest-digest-mismatch"
    /// A manifest blob that is not a manifest (including zero bytes).
    case manifestUnparseable = "manifest-unparseable"
    /// A blob whose data file has zero bytes.
    case emptyBlob = "empty-blob"
    /// A blob whose data does not hash to its digest (`scan --verify-blobs`).
    case blobDigestMismatch = "blob-digest-mismatch"
    /// A `_layers` link to a blob that is gone.
    case layerLinkBlobMissing = "layer-link-blob-missing"
    /// A manifest that references a missing config, layer or child: the image cannot be pulled.
    case referenceMissing = "reference-missing"
    /// A repository without tags.
    case noTags = "no-tags"
    /// An upload older than `--upload-age` hours.
    case staleUpload = "stale-upload"
}

/// One piece of damage, with the path it is at (relative to `docker/registry/v2`).
public struct StorageFinding: Sendable, Codable, Hashable {
    public var problem: StorageProblem
    public var repository: String
    public var tag: String?
    public var digest: String?
    public var path: String
    public var detail: String
    /// Tags of the repository that cannot be pulled because of it.
    public var tags: [String]

    public init(
        problem: StorageProblem, repository: String, tag: String? = nil, digest: String? = nil, path: String, detail: String, tags: [String] = []
    ) {
        self.problem = problem
        self.repository = repository
        self.tag = tag
        self.digest = digest
        self.path = path
        self.detail = detail
        self.tags = tags
    }
}
