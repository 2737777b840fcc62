import EvictorCore
import RegistryAPI

/// Image records already fetched, so a manifest several tags share is read once per
/// repository. (Configs are not memoised: each belongs to one image manifest, which is.)
/// Records are kept per repository (the snapshot takes them over without
/// a copy), and digests and media types are interned: the same layer digest or media type
/// text is stored once, however many manifests name it.
actor ImageMemo {
    private var images: [String: [Digest: ImageRecord]] = [:]
    private var digests: Set<Digest> = []
    private var texts: Set<String> = []

    func image(_ repository: String, _ digest: Digest) -> ImageRecord? { images[repository]?[digest] }

    func store(_ repository: String, _ record: ImageRecord) {
        var record = record
        record.digest = intern(record.digest)
        record.mediaType = intern(record.mediaType)
        record.children = record.children.map(intern)
        record.blobs = record.blobs.map { BlobUse(digest: intern($0.digest), size: $0.size) }
        record.subject = record.subject.map(intern)
        images[repository, default: [:]][record.digest] = record
    }

    /// Hands over (and forgets) every record of a repository.
    func takeImages(of repository: String) -> [Digest: ImageRecord] {
        images.removeValue(forKey: repository) ?? [:]
    }

    private func intern(_ digest: Digest) -> Digest {
        if let known = digests.firstIndex(of: digest) { return digests[known] }
        digests.insert(digest)
        return digest
    }

    private func intern(_ text: String) -> String {
        if let known = texts.firstIndex(of: text) { return texts[known] }
        texts.insert(text)
        return text
    }
}
