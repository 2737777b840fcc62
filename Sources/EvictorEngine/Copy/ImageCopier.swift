import EvictorCore
import RegistryAPI

/// Copies one image with everything it needs: an index's children before the index, an
/// image's blobs before its manifest, with `referrers` the manifests that refer to each copied
/// one (and their tags), and the tag last. Manifests are put as the source stored them, byte
/// for byte, so every digest stays the same. Dry run: the same walk, reading only.
struct ImageCopier: Sendable {
    var source: RegistryClient
    var destination: RegistryClient
    var ledger: CopyLedger
    var settings: Copying.Settings
    var blobCopier: BlobCopier

    /// Copies `item`; true when anything was written (or, in a dry run, would be).
    func copy(_ item: CopyItem) async throws -> Bool {
        let target = RepositoryRename.destination(of: item.repository, settings.renames)
        var tag = item.tag
        let document: ManifestDocument
        if let digest = item.digest {
            document = try await source.manifestDocument(item.repository, reference: digest.description)
            // An inventory's repo:tag@digest: the tag goes along only while it still names the digest.
            if let named = item.tag, try await source.manifestHead(item.repository, reference: named)?.digest != digest { tag = nil }
        } else if let named = item.tag {
            document = try await source.manifestDocument(item.repository, reference: named)
        } else {
            throw EngineError.invalidSettings("\(item): neither tag nor digest")
        }
        var changed = try await copyTree(document, from: item.repository, to: target)
        if let tag {
            changed = try await setTag(tag, to: document, in: target, overwrite: settings.overwriteTags) || changed
        }
        return changed
    }

    /// Copies a manifest and what it points to; true when anything was (or would be) written.
    private func copyTree(_ document: ManifestDocument, from repository: String, to target: String) async throws -> Bool {
        try await ledger.manifestOnce(document.manifest.digest, in: target) {
            try await copyTreeOnce(document, from: repository, to: target)
        }
    }

    private func copyTreeOnce(_ document: ManifestDocument, from repository: String, to target: String) async throws -> Bool {
        let manifest = document.manifest
        var changed = false
        if try await destination.manifestHead(target, reference: manifest.digest.description) != nil {
            try await ledger.manifest(manifest.digest, in: target, put: false)
        } else {
            switch manifest.kind {
            case .index:
                for child in manifest.children {
                    let childDocument = try await source.manifestDocument(repository, reference: child.digest.description)
                    changed = try await copyTree(childDocument, from: repository, to: target) || changed
                }
            case .image, .schema1:
                let blobs = (manifest.config.map { [$0] } ?? []) + manifest.layers
                try await copyBlobs(Self.distinct(blobs), from: repository, to: target)
            }
            if !settings.dryRun {
                try await destination.putManifest(
                    target, reference: manifest.digest.description, bytes: document.bytes, mediaType: manifest.mediaType)
            }
            try await ledger.manifest(manifest.digest, in: target, put: true)
            changed = true
        }
        if settings.referrers {
            changed = try await copyReferrers(of: manifest.digest, from: repository, to: target) || changed
        }
        return changed
    }

    /// Blobs of one manifest, a few at a time (each transfer holds one chunk in memory).
    private func copyBlobs(_ blobs: [Descriptor], from repository: String, to target: String) async throws {
        let copier = blobCopier
        let source = self.source
        let destination = self.destination
        let ledger = self.ledger
        let dryRun = settings.dryRun
        _ = try await BoundedConcurrency.map(blobs, limit: 4) { blob in
            try await ledger.blob(blob.digest, into: target) { mountFrom in
                if dryRun {
                    if try await destination.blobSize(target, digest: blob.digest) != nil { return .present }
                    return mountFrom == nil ? .sent(bytes: blob.size) : .mounted
                }
                return try await copier.copy(
                    blob.digest, size: blob.size >= 0 ? blob.size : nil, from: source, repository: repository, to: destination, repository: target,
                    mountFrom: mountFrom)
            }
        }
    }

    /// Signatures, SBOMs and attestations of `subject`: the referrers API (or its tag fallback)
    /// and the `sha256-<hex>` tags (the fallback index, cosign's `.sig`, `.att`, `.sbom`).
    private func copyReferrers(of subject: Digest, from repository: String, to target: String) async throws -> Bool {
        var changed = false
        for referrer in try await source.referrers(repository, subject: subject) {
            let document = try await source.manifestDocument(repository, reference: referrer.digest.description)
            changed = try await copyTree(document, from: repository, to: target) || changed
        }
        let prefix = "\(subject.algorithm)-\(subject.hex)"
        let source = self.source
        let tags = try await ledger.sourceTags(of: repository) { try await source.tags(of: repository) }
        for tag in tags where tag == prefix || tag.hasPrefix(prefix + ".") {
            let document = try await source.manifestDocument(repository, reference: tag)
            changed = try await copyTree(document, from: repository, to: target) || changed
            // These tags follow the source (a new signature changes them): always updated.
            changed = try await setTag(tag, to: document, in: target, overwrite: true) || changed
        }
        return changed
    }

    /// Points `tag` at the copied manifest, unless the destination's tag names another one and
    /// `overwrite` is off.
    private func setTag(_ tag: String, to document: ManifestDocument, in target: String, overwrite: Bool) async throws -> Bool {
        let digest = document.manifest.digest
        let current = try await destination.manifestHead(target, reference: tag)
        if current?.digest == digest {
            try await ledger.tag(tag, of: digest, in: target, outcome: .present)
            return false
        }
        if let current, !overwrite {
            let reason = "the destination's tag names \(current.digest); left alone (--overwrite-tags moves it)"
            try await ledger.tag(tag, of: digest, in: target, outcome: .skipped(reason))
            return false
        }
        if !settings.dryRun {
            try await destination.putManifest(target, reference: tag, bytes: document.bytes, mediaType: document.manifest.mediaType)
        }
        try await ledger.tag(tag, of: digest, in: target, outcome: .set)
        return true
    }

    /// Each digest once (a config that is also a layer, a layer listed twice).
    private static func distinct(_ blobs: [Descriptor]) -> [Descriptor] {
        var seen: Set<Digest> = []
        return blobs.filter { seen.insert($0.digest).inserted }
    }
}
