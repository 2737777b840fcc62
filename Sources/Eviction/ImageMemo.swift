import EvictorCore
import RegistryAPI

/// Image records already fetched, so a manifest several tags share is read once per
/// repository. (Configs are not memoised: each belongs to one image manifest, which is.)
/// Records are kept per repository (the snapshot takes them over without
/// a copy), and media types, platform lists and label sets are interned: the same value is
/// stored once, however many manifests have it. (Digests are inline values: nothing to share.)
actor ImageMemo {
    private var images: [String: [Digest: ImageRecord]] = [:]
    private var texts: Set<String> = []
    private var platformLists: Set<[String]> = []
    private var labelSets: Set<[String: String]> = []

    func image(_ repository: String, _ digest: Digest) -> ImageRecord? { images[repository]?[digest] }

    func store(_ repository: String, _ record: ImageRecord) {
        var record = record
        record.mediaType = Self.intern(record.mediaType, in: &texts)
        // Most images of a registry share one platform list (and often one label set): one copy.
        if !record.platforms.isEmpty { record.platforms = Self.intern(record.platforms, in: &platformLists) }
        if !record.labels.isEmpty { record.labels = Self.intern(record.labels, in: &labelSets) }
        images[repository, default: [:]][record.digest] = record
    }

    /// Hands over (and forgets) every record of a repository.
    func takeImages(of repository: String) -> [Digest: ImageRecord] {
        images.removeValue(forKey: repository) ?? [:]
    }

    /// The stored copy equal to `value` (stored first if there is none).
    private static func intern<Value: Hashable>(_ value: Value, in known: inout Set<Value>) -> Value {
        if let index = known.firstIndex(of: value) { return known[index] }
        known.insert(value)
        return value
    }
}
