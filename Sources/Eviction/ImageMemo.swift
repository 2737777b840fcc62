import EvictorCore
import RegistryAPI

/// Image records already fetched, so a manifest several tags share is read once per
/// repository. (Configs are not memoised: each belongs to one image manifest, which is.)
/// Records are kept per repository (the snapshot takes them over without
/// a copy), and media types are interned: the same text is stored once, however many
/// manifests name it. (Digests are inline values: nothing to share.)
actor ImageMemo {
    private var images: [String: [Digest: ImageRecord]] = [:]
    private var texts: Set<String> = []

    func image(_ repository: String, _ digest: Digest) -> ImageRecord? { images[repository]?[digest] }

    func store(_ repository: String, _ record: ImageRecord) {
        var record = record
        record.mediaType = intern(record.mediaType)
        images[repository, default: [:]][record.digest] = record
    }

    /// Hands over (and forgets) every record of a repository.
    func takeImages(of repository: String) -> [Digest: ImageRecord] {
        images.removeValue(forKey: repository) ?? [:]
    }

    private func intern(_ text: String) -> String {
        if let known = texts.firstIndex(of: text) { return texts[known] }
        texts.insert(text)
        return text
    }
}
