import EvictorCore
import RegistryAPI

/// Image records and parsed configs already fetched, so shared manifests and configs are
/// read once per run. Keeps only the small parsed results.
actor ImageMemo {
    private var images: [String: ImageRecord] = [:]
    private var configs: [Digest: ImageConfig] = [:]

    func image(_ repository: String, _ digest: Digest) -> ImageRecord? { images["\(repository)@\(digest)"] }
    func store(_ repository: String, _ record: ImageRecord) { images["\(repository)@\(record.digest)"] = record }
    func config(_ digest: Digest) -> ImageConfig? { configs[digest] }
    func store(config: ImageConfig, for digest: Digest) { configs[digest] = config }
}
