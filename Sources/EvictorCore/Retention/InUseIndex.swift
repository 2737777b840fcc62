import Foundation

/// What the inventory says is in use on one registry, indexed for lookups by repository,
/// tag and digest.
public struct InUseIndex: Sendable {
    /// repository -> tag -> where it runs.
    public private(set) var byTag: [String: [String: [String]]] = [:]
    /// repository -> digest -> where it runs.
    public private(set) var byDigest: [String: [Digest: [String]]] = [:]
    /// repository -> where any of its images runs.
    public private(set) var byRepository: [String: [String]] = [:]
    /// The images, in inventory order.
    public let images: [InventoryImage]

    public init(images: [InventoryImage]) {
        self.images = images
        for image in images {
            let repository = image.reference.path
            byRepository[repository, default: []] += image.seenAt
            if let tag = image.reference.tag { byTag[repository, default: [:]][tag, default: []] += image.seenAt }
            if let digest = image.reference.digest { byDigest[repository, default: [:]][digest, default: []] += image.seenAt }
        }
    }

    /// Where `repository:tag` runs, sorted and without repeats.
    public func users(_ repository: String, tag: String) -> [String] {
        Array(Set(byTag[repository]?[tag] ?? [])).sorted()
    }

    /// Marks tags, digests and the repository itself as in use. A tag is in use when the
    /// inventory names it, or pins its digest or (for an index) one of its children's.
    public func annotate(_ snapshot: inout RepositorySnapshot) {
        let repository = snapshot.name
        let digests = byDigest[repository] ?? [:]
        snapshot.inUseDigests = digests
        snapshot.usedBy = Array(Set(byRepository[repository] ?? [])).sorted()
        snapshot.inUse = byRepository[repository] != nil
        for index in snapshot.tags.indices {
            let tag = snapshot.tags[index]
            let named = byTag[repository]?[tag.name]
            var users = Set(named ?? [])
            var pinned = false
            for digest in [tag.digest] + (snapshot.images[tag.digest]?.children ?? []) {
                guard let where_ = digests[digest] else { continue }
                pinned = true
                users.formUnion(where_)
            }
            snapshot.tags[index].inUse = named != nil || pinned
            snapshot.tags[index].usedBy = users.sorted()
        }
    }
}
