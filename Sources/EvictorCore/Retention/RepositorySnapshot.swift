import Foundation

/// One tag of a repository at snapshot time.
public struct TagRecord: Sendable, Hashable, Codable {
    public var name: String
    public var digest: Digest
    public var inUse: Bool
    public var usedBy: [String]

    public init(name: String, digest: Digest, inUse: Bool = false, usedBy: [String] = []) {
        self.name = name
        self.digest = digest
        self.inUse = inUse
        self.usedBy = usedBy
    }
}

/// A repository as the planner sees it: tags, every manifest they reach, untagged manifests
/// (known only when the storage root was readable) and what the inventory says is in use.
public struct RepositorySnapshot: Sendable {
    public var name: String
    public var tags: [TagRecord]
    /// Every manifest known in the repository by digest: tagged, index children, untagged.
    public var images: [Digest: ImageRecord]
    /// Manifests stored in the repository that no tag points to.
    public var untagged: [Digest]
    public var inUse: Bool
    public var usedBy: [String]
    /// Digests the inventory pins in this repository (`repo@sha256:...`), with where they run.
    public var inUseDigests: [Digest: [String]]
    /// Pull history per manifest, from the usage store (empty without one).
    public var usage: [Digest: UsageFacts] = [:]

    public init(
        name: String, tags: [TagRecord], images: [Digest: ImageRecord], untagged: [Digest] = [],
        inUse: Bool = false, usedBy: [String] = [], inUseDigests: [Digest: [String]] = [:]
    ) {
        self.name = name
        self.tags = tags
        self.images = images
        self.untagged = untagged
        self.inUse = inUse
        self.usedBy = usedBy
        self.inUseDigests = inUseDigests
    }

    /// Tags newest first: by image created time descending, unknown times last, ties by name descending.
    public var tagsNewestFirst: [TagRecord] {
        tags.sorted { Self.isNewer(images[$0.digest]?.created, $0.name, than: images[$1.digest]?.created, $1.name) }
    }

    /// The newest-first order policies see: created time descending, unknown times last,
    /// ties by name descending.
    public static func isNewer(_ created: Date?, _ name: String, than otherCreated: Date?, _ otherName: String) -> Bool {
        switch (created, otherCreated) {
        case let (l?, r?) where l != r: return l > r
        case (.some, nil): return true
        case (nil, .some): return false
        default: return name > otherName
        }
    }

    /// For every manifest an index lists, the indexes in this repository that list it (sorted).
    /// Built in one pass, for callers that ask about many manifests.
    public var parentsByChild: [Digest: [Digest]] {
        var parents: [Digest: [Digest]] = [:]
        for image in images.values where image.isIndex {
            for child in image.children { parents[child, default: []].append(image.digest) }
        }
        return parents.mapValues { $0.sorted() }
    }

    /// Whether the manifest `digest` was read whole (a record with a media type).
    public func isReadable(_ digest: Digest) -> Bool {
        images[digest].map { !$0.mediaType.isEmpty } ?? false
    }

    /// The subject of a referrer: the manifest's `subject`, or the digest a `sha256-<hex>[.suffix]`
    /// tag names (the referrers tag schema cosign and registries without the referrers API use).

    public func subject(ofTag tag: TagRecord) -> Digest? {
        if let subject = images[tag.digest]?.subject { return subject }
        return Self.subjectFromTagName(tag.name)
    }

    /// `sha256-<64 hex>` optionally followed by `.suffix` names the subject `sha256:<hex>`.
    public static func subjectFromTagName(_ name: String) -> Digest? {
        guard name.hasPrefix("sha256-"), name.utf8.count >= 71 else { return nil }
        let hex = name.dropFirst(7).prefix(64)
        let rest = name.dropFirst(71)
        guard rest.isEmpty || rest.hasPrefix(".") else { return nil }
        return try? Digest(parsing: "sha256:\(hex)")
    }
}
