import EvictorCore
import Foundation
import Synchronization

/// Reads a whole store (repositories in parallel, each manifest once) and lists every
/// damage: broken links, missing or corrupt manifests, missing layers, empty blobs, stale uploads.
public struct StorageScanner: Sendable {
    public let layout: StorageLayout
    /// Uploads older than this are reported.
    public var uploadAge: TimeInterval
    public var now: Date
    /// Also hash every blob's data (reads the whole store).
    public var verifyBlobs: Bool

    public init(layout: StorageLayout, uploadAgeHours: Double = 24, verifyBlobs: Bool = false, now: Date = Date()) {
        self.layout = layout
        self.uploadAge = uploadAgeHours * 3600
        self.verifyBlobs = verifyBlobs
        self.now = now
    }

    public struct ScanResult: Sendable {
        public var findings: [StorageFinding]
        public var repositories: Int
        public var tags: Int
        public var manifests: Int
        public var blobs: Int
    }

    public func scan() throws(StorageError) -> ScanResult {
        let repositories = try layout.repositoryIndex()
        let names = repositories.names
        let blobs = try layout.blobs()
        let collected = Mutex<[StorageFinding]>([])
        let counts = Mutex<(tags: Int, manifests: Int)>((0, 0))
        try layout.forEach(names.count) { index throws(StorageError) in
            let links = try layout.links(of: names[index], in: repositories)
            let found = try scan(links, blobs: blobs, cache: ManifestCache(layout: layout))
            collected.withLock { $0 += found }
            counts.withLock { $0 = ($0.tags + links.tags.count, $0.manifests + links.revisions.count) }
        }
        var findings = collected.withLock { $0 }
        for (digest, size) in blobs where size == 0 {
            findings.append(
                StorageFinding(
                    problem: .emptyBlob, repository: "", digest: digest.description, path: StorageLayout.blobDataRelativePath(digest),
                    detail: "zero-byte blob data"))
        }
        if verifyBlobs { findings += try verify(blobs) }
        findings.sort {
            ($0.repository, $0.problem.rawValue, $0.tag ?? "", $0.digest ?? "", $0.path) < (
                $1.repository, $1.problem.rawValue, $1.tag ?? "", $1.digest ?? "", $1.path
            )
        }
        let (tags, manifests) = counts.withLock { $0 }
        return ScanResult(findings: findings, repositories: names.count, tags: tags, manifests: manifests, blobs: blobs.count)
    }

    /// Hashes every non-empty blob in parallel; manifests were verified already but are cheap.
    private func verify(_ blobs: [Digest: Int64?]) throws(StorageError) -> [StorageFinding] {
        let digests = blobs.compactMap { digest, size in (size ?? 0) > 0 && digest.algorithm == "sha256" ? digest : nil }
        let mismatches = Mutex<[StorageFinding]>([])
        let local = layout.driver is LocalStorageDriver
        try layout.forEach(digests.count) { index throws(StorageError) in
            let digest = digests[index]
            let path = layout.blobDataPath(digest)
            let actual =
                local ? Digest.sha256(ofFileAt: path) : try layout.driver.read(path, limit: Int.max).map { Digest.sha256(of: $0) }
            guard let actual, actual != digest else { return }
            let finding = StorageFinding(
                problem: .blobDigestMismatch, repository: "", digest: digest.description, path: StorageLayout.blobDataRelativePath(digest),
                detail: "content hashes to \(actual.short)")
            mismatches.withLock { $0.append(finding) }
        }
        return mismatches.withLock { $0 }
    }

    private func scan(_ links: RepositoryLinks, blobs: [Digest: Int64?], cache: ManifestCache) throws(StorageError) -> [StorageFinding] {
        let repository = links.name
        let base = "repositories/\(repository)"
        var findings: [StorageFinding] = []
        let revisions = Set(links.revisions)
        func exists(_ digest: Digest) -> Bool { (blobs[digest] ?? nil) != nil }
        var tagsByDigest: [Digest: [String]] = [:]
        for (tag, digest) in links.tags {
            let path = "\(base)/_manifests/tags/\(tag)"
            guard let digest else {
                findings.append(
                    StorageFinding(
                        problem: .tagLinkBroken, repository: repository, tag: tag, path: path, detail: "current/link is missing or malformed",
                        tags: [tag]))
                continue
            }
            tagsByDigest[digest, default: []].append(tag)
            if !revisions.contains(digest) {
                findings.append(
                    StorageFinding(
                        problem: .tagRevisionMissing, repository: repository, tag: tag, digest: digest.description, path: path,
                        detail: "no revision link for \(digest.short)", tags: [tag]))
            } else if !exists(digest) {
                findings.append(
                    StorageFinding(
                        problem: .tagBlobMissing, repository: repository, tag: tag, digest: digest.description, path: path,
                        detail: "manifest blob \(digest.short) is gone", tags: [tag]))
            }
        }
        if links.tags.isEmpty {
            findings.append(
                StorageFinding(
                    problem: .noTags, repository: repository, path: base,
                    detail: "repository has no tags (\(links.revisions.count) untagged manifests)"))
        }
        for hex in links.brokenRevisions {
            findings.append(
                StorageFinding(
                    problem: .revisionLinkBroken, repository: repository, path: "\(base)/_manifests/revisions/sha256/\(hex)",
                    detail: "revision link missing or not naming its directory"))
        }
        // Tags that reach each manifest (directly, or through an index that lists it).
        var reachedBy = tagsByDigest
        for (digest, tags) in tagsByDigest {
            if case .manifest(let manifest) = try cache.read(digest) {
                for child in manifest.children { reachedBy[child.digest, default: []] += tags }
            }
        }
        var unpullable: Set<Digest> = []
        for digest in links.revisions {
            let path = "\(base)/_manifests/revisions/sha256/\(digest.hex)"
            let tags = Array(Set(reachedBy[digest] ?? [])).sorted()
            switch try cache.read(digest) {
            case .missing:
                findings.append(
                    StorageFinding(
                        problem: .revisionBlobMissing, repository: repository, digest: digest.description, path: path,
                        detail: "manifest blob is gone", tags: tags))
            case .empty:
                findings.append(
                    StorageFinding(
                        problem: .manifestUnparseable, repository: repository, digest: digest.description,
                        path: StorageLayout.blobDataRelativePath(digest), detail: "zero-byte manifest", tags: tags))
            case .digestMismatch(let actual, _):
                findings.append(
                    StorageFinding(
                        problem: .manifestDigestMismatch, repository: repository, digest: digest.description,
                        path: StorageLayout.blobDataRelativePath(digest), detail: "content hashes to \(actual.short)", tags: tags))
            case .unparseable(let reason, _):
                findings.append(
                    StorageFinding(
                        problem: .manifestUnparseable, repository: repository, digest: digest.description,
                        path: StorageLayout.blobDataRelativePath(digest), detail: reason, tags: tags))
            case .manifest(let manifest):
                var missing: [String] = []
                for blob in manifest.blobs where !exists(blob.digest) { missing.append("blob \(blob.digest.short)") }
                for child in manifest.children where !revisions.contains(child.digest) || !exists(child.digest) {
                    missing.append("child manifest \(child.digest.short)")
                }
                if !missing.isEmpty {
                    unpullable.insert(digest)
                    findings.append(
                        StorageFinding(
                            problem: .referenceMissing, repository: repository, digest: digest.description, path: path,
                            detail: "cannot be pulled: missing \(missing.joined(separator: ", "))", tags: tags))
                }
            }
        }
        // An index is as unpullable as any of its children.
        for digest in links.revisions where !unpullable.contains(digest) {
            guard case .manifest(let manifest) = try cache.read(digest),
                let child = manifest.children.first(where: { unpullable.contains($0.digest) })
            else { continue }
            findings.append(
                StorageFinding(
                    problem: .referenceMissing, repository: repository, digest: digest.description,
                    path: "\(base)/_manifests/revisions/sha256/\(digest.hex)",
                    detail: "cannot be pulled: child manifest \(child.digest.short) cannot be pulled", tags: tagsByDigest[digest]?.sorted() ?? []))
        }
        for layer in links.layers where !exists(layer) {
            findings.append(
                StorageFinding(
                    problem: .layerLinkBlobMissing, repository: repository, digest: layer.description, path: "\(base)/_layers/sha256/\(layer.hex)",
                    detail: "layer link to a blob that is gone"))
        }
        for upload in links.uploads {
            let age = upload.startedAt.map { now.timeIntervalSince($0) } ?? .infinity
            if age > uploadAge {
                findings.append(
                    StorageFinding(
                        problem: .staleUpload, repository: repository, path: "\(base)/_uploads/\(upload.id)",
                        detail: upload.startedAt.map { "started \(Int(now.timeIntervalSince($0) / 3600)) hours ago" } ?? "no start time"))
            }
        }
        return findings
    }
}
