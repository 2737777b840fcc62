import EvictorCore
import Foundation
import RegistryAPI
import RegistryStorage

/// Reads repositories of a live registry into snapshots: every tag's manifest (and an
/// index's children), image configs for created times, labels and platforms, and, when the
/// storage root is readable, the untagged manifests the API cannot list.
public struct SnapshotCollector: Sendable {
    public let client: RegistryClient
    public var parallelism: Int
    public var storage: StorageLayout?

    public init(client: RegistryClient, parallelism: Int? = nil, storage: StorageLayout? = nil) {
        self.client = client
        self.parallelism = parallelism ?? client.configuration.concurrency * 2
        self.storage = storage
    }

    /// What could not be read, for a warning (those tags are left out of the plan).
    public struct Gaps: Sendable {
        public var unreadableTags: [String] = []
    }

    /// Snapshots of `repositories` (all of them when empty), sorted by name, all at once. A
    /// caller that can take them one at a time uses `reader(of:progress:)` and holds less.
    public func snapshots(of repositories: [String], progress: (@Sendable (Int, Int) -> Void)? = nil) async throws(EvictionError) -> (
        [RepositorySnapshot], Gaps
    ) {
        var reader = reader(of: repositories, progress: progress)
        var snapshots: [RepositorySnapshot] = []
        while let snapshot = try await reader.next() { snapshots.append(snapshot) }
        return (snapshots, reader.gaps)
    }

    /// Snapshots of `repositories` (all of them when empty) one at a time, in name order.
    /// `batchTags` sets how many tags are read together (tests make it small).
    public func reader(of repositories: [String], progress: (@Sendable (Int, Int) -> Void)? = nil, batchTags: Int? = nil) -> SnapshotReader {
        SnapshotReader(collector: self, repositories: repositories, progress: progress, batchTags: batchTags)
    }

    /// Reads the manifests of a batch of repositories (concurrently) into their snapshots.
    func snapshots(
        ofBatch batch: [(name: String, tags: [String])], memo: ImageMemo, counter: ProgressCounter, gaps: inout Gaps
    ) async throws(RegistryAPIError) -> [RepositorySnapshot] {
        let walker = RegistryWalker(client: client, parallelism: parallelism)
        let entries = batch.flatMap { repository in repository.tags.map { TagEntry(repository: repository.name, tag: $0) } }
        // The digest goes back in the entry (not as a `(TagEntry, Digest?)` tuple: see `ResolvedTag`).
        let resolved = try await walker.map(entries) { entry throws(RegistryAPIError) -> TagEntry in
            var resolved = entry
            resolved.digest = try await resolve(entry, memo: memo)
            counter.advance()
            return resolved
        }
        var byRepository: [String: [TagRecord]] = [:]
        for entry in resolved {
            guard let digest = entry.digest else {
                gaps.unreadableTags.append("\(entry.repository):\(entry.tag)")
                continue
            }
            byRepository[entry.repository, default: []].append(TagRecord(name: entry.tag, digest: digest))
        }
        var snapshots: [RepositorySnapshot] = []
        for (name, _) in batch {
            let tags = byRepository.removeValue(forKey: name) ?? []
            var untagged: [Digest] = []
            if let storage {
                let tagged = Set(tags.map(\.digest))
                untagged = ((try? await BlockingWork.run { try storage.revisionDigests(of: name) }) ?? []).filter { !tagged.contains($0) }
                for digest in untagged where await memo.image(name, digest) == nil {
                    _ = try await record(name, digest, memo: memo)
                }
            }
            let images = await memo.takeImages(of: name)
            snapshots.append(RepositorySnapshot(name: name, tags: tags.sorted { $0.name < $1.name }, images: images, untagged: untagged))
        }
        return snapshots
    }

    /// The digest a tag points to, with its record memoised; nil when its manifest cannot be
    /// read (missing or corrupt: `evictor check` reports those).
    private func resolve(_ entry: TagEntry, memo: ImageMemo) async throws(RegistryAPIError) -> Digest? {
        let document: ManifestDocument
        do {
            document = try await client.manifestDocument(entry.repository, reference: entry.tag)
        } catch {
            guard Self.isUnreadableManifest(error) else { throw error }
            // A tag we cannot read may still point at a digest; HEAD tells which, so the
            // rails can still protect it.
            return try? await client.manifestHead(entry.repository, reference: entry.tag)?.digest
        }
        if await memo.image(entry.repository, document.manifest.digest) == nil {
            await memo.store(entry.repository, try await makeRecord(entry.repository, document, memo: memo))
        }
        return document.manifest.digest
    }

    /// Fetches and memoises the record of a manifest by digest; a minimal record when it
    /// cannot be read.
    private func record(_ repository: String, _ digest: Digest, memo: ImageMemo) async throws(RegistryAPIError) -> ImageRecord {
        if let known = await memo.image(repository, digest) { return known }
        let record: ImageRecord
        do {
            record = try await makeRecord(repository, try await client.manifestDocument(repository, reference: digest.description), memo: memo)
        } catch {
            guard Self.isUnreadableManifest(error) else { throw error }
            record = ImageRecord(digest: digest, mediaType: "")
        }
        await memo.store(repository, record)
        return record
    }

    /// Failures that concern one manifest (missing, corrupt, too large, or a 500 that every
    /// retry got), not the registry as a whole: the tag is left out of the plan and kept.
    static func isUnreadableManifest(_ error: RegistryAPIError) -> Bool {
        switch error {
        case .notFound, .digestMismatch, .invalidResponse, .corruptManifest, .invalidDigestHeader, .bodyTooLarge: return true
        case .serverError(_, _, let status, _): return status == 500
        default: return false
        }
    }

    private func makeRecord(_ repository: String, _ document: ManifestDocument, memo: ImageMemo) async throws(RegistryAPIError) -> ImageRecord {
        let manifest = document.manifest
        var record = ImageRecord(
            digest: manifest.digest, mediaType: manifest.mediaType, manifestSize: Int64(document.bytes.count), size: Int64(document.bytes.count),
            subject: manifest.subject?.digest, isIndex: manifest.kind == .index
        )
        let annotated = manifest.annotations["org.opencontainers.image.created"].flatMap(Timestamp.parse)
        switch manifest.kind {
        case .index:
            record.children = manifest.children.map(\.digest)
            var newest: Date?
            var platforms: [String] = []
            for child in manifest.children {
                let childRecord = try await self.record(repository, child.digest, memo: memo)
                record.size += childRecord.size
                if let created = childRecord.created, newest.map({ created > $0 }) ?? true { newest = created }
                if let platform = child.platform { platforms.append(platform.description) } else { platforms += childRecord.platforms }
                if record.labels.isEmpty { record.labels = childRecord.labels }
            }
            record.created = newest ?? annotated
            record.platforms = platforms
        case .image, .schema1:
            record.blobs = manifest.blobs.map { BlobUse(digest: $0.digest, size: $0.size) }
            record.size += manifest.blobs.reduce(0) { $0 + $1.size }
            if let config = manifest.config, manifest.kind == .image {
                let parsed = try await imageConfig(repository, config.digest)
                record.created = parsed.created ?? annotated ?? parsed.labels["org.opencontainers.image.created"].flatMap(Timestamp.parse)
                record.labels = parsed.labels
                record.platforms = parsed.platform.map { [$0.description] } ?? []
            } else {
                record.created = annotated
            }
        }
        return record
    }

    private func imageConfig(_ repository: String, _ digest: Digest) async throws(RegistryAPIError) -> ImageConfig {
        do throws(RegistryAPIError) {
            return ImageConfig.parse(try await client.blob(repository, digest: digest, limit: ImageConfig.sizeLimit))
        } catch {
            switch error {
            case .notFound, .digestMismatch, .invalidResponse, .corruptManifest, .invalidDigestHeader, .bodyTooLarge: return .empty
            default: throw error
            }
        }
    }
}
