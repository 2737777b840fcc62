import Foundation

/// What the inventory says is in use on one registry, indexed for lookups by repository,
/// tag and digest. The one index `plan` and `check` both read, so they cannot disagree.
///
/// References are read as Docker and Kubernetes pull them: one without tag or digest
/// (`host/tools/debug`) means `:latest`.
public struct InUseIndex: Sendable {
    /// A reference the inventory names, as `check` checks it: a pinned digest is what runs,
    /// otherwise the tag.
    public struct Target: Sendable, Hashable {
        public var repository: String
        /// A tag, or a digest's text.
        public var reference: String
        public var usedBy: [String]
    }

    /// repository -> tag -> where it runs.
    public private(set) var byTag: [String: [String: [String]]] = [:]
    /// repository -> digest -> where it runs.
    public private(set) var byDigest: [String: [Digest: [String]]] = [:]
    /// repository -> where any of its images runs.
    public private(set) var byRepository: [String: [String]] = [:]
    /// Every reference once, in inventory order (tag or pinned digest).
    public private(set) var targets: [Target] = []
    /// The images, in inventory order.
    public let images: [InventoryImage]

    /// The tag a reference without tag or digest means.
    public static let defaultTag = "latest"

    public init(images: [InventoryImage]) {
        self.images = images
        var targetIndex: [String: Int] = [:]
        for image in images {
            let repository = image.reference.path
            byRepository[repository, default: []] += image.seenAt
            let tag = Self.effectiveTag(of: image.reference)
            if let tag { byTag[repository, default: [:]][tag, default: []] += image.seenAt }
            if let digest = image.reference.digest { byDigest[repository, default: [:]][digest, default: []] += image.seenAt }
            let reference = image.reference.digest?.description ?? tag ?? Self.defaultTag
            let key = "\(repository)@\(reference)"
            if let existing = targetIndex[key] {
                targets[existing].usedBy = Array(Set(targets[existing].usedBy + image.seenAt)).sorted()
            } else {
                targetIndex[key] = targets.count
                targets.append(Target(repository: repository, reference: reference, usedBy: Array(Set(image.seenAt)).sorted()))
            }
        }
    }

    /// The tag a reference names: its own, `latest` when it names neither tag nor digest, nil
    /// when only a digest.
    public static func effectiveTag(of reference: ImageReference) -> String? {
        if let tag = reference.tag { return tag }
        return reference.digest == nil ? defaultTag : nil
    }

    /// Whether anything in the inventory is in `repository`.
    public func isInUse(repository: String) -> Bool { byRepository[repository] != nil }

    /// Where `repository:tag` runs, sorted and without repeats: the inventory names the tag, or
    /// pins its digest, or (for an index) one of its children's digests. Empty: not in use.
    public func users(_ repository: String, tag: String, digest: Digest? = nil, children: [Digest] = []) -> [String] {
        var users = Set(byTag[repository]?[tag] ?? [])
        if let pins = byDigest[repository], let digest {
            for candidate in [digest] + children { users.formUnion(pins[candidate] ?? []) }
        }
        return users.sorted()
    }

    /// Whether `repository:tag` is in use (named, or its digest or a child's pinned), even
    /// where nothing says where (an inventory entry without sightings).
    public func isInUse(_ repository: String, tag: String, digest: Digest? = nil, children: [Digest] = []) -> Bool {
        if byTag[repository]?[tag] != nil { return true }
        guard let pins = byDigest[repository], let digest else { return false }
        return ([digest] + children).contains { pins[$0] != nil }
    }

    /// Marks tags, digests and the repository itself as in use. A tag is in use when the
    /// inventory names it, or pins its digest or (for an index) one of its children's.
    public func annotate(_ snapshot: inout RepositorySnapshot) {
        let repository = snapshot.name
        snapshot.inUseDigests = byDigest[repository] ?? [:]
        snapshot.usedBy = Array(Set(byRepository[repository] ?? [])).sorted()
        snapshot.inUse = isInUse(repository: repository)
        for index in snapshot.tags.indices {
            let tag = snapshot.tags[index]
            let children = snapshot.images[tag.digest]?.children ?? []
            snapshot.tags[index].inUse = isInUse(repository, tag: tag.name, digest: tag.digest, children: children)
            snapshot.tags[index].usedBy = users(repository, tag: tag.name, digest: tag.digest, children: children)
        }
    }
}
