import EvictorCore
import Foundation
import RegistryAPI

/// Puts journaled manifests and their tags back, newest deletion first (so a manifest's
/// children are back before the index that lists them), while their blobs still exist.
public struct JournalRestorer: Sendable {
    public let client: RegistryClient
    public let journal: Journal?

    public init(client: RegistryClient, journal: Journal?) {
        self.client = client
        self.journal = journal
    }

    public struct Restoration: Sendable {
        public enum Status: Sendable, Equatable {
            case restored
            case alreadyPresent
            case cannotRestore(String)
        }

        public var repository: String
        public var digest: Digest
        /// Tags put back (or found in place).
        public var tags: [String]
        /// Tags left alone because they now point elsewhere.
        public var notes: [String]
        public var status: Status
    }

    /// The manifests a journal says were (or may have been) deleted: the latest intent per
    /// repository and digest, newest first.
    public static func candidates(_ records: [JournalRecord], repositories: Set<String>) -> [JournalRecord] {
        var latest: [String: (Int, JournalRecord)] = [:]
        for (index, record) in records.enumerated() where record.event == .intent {
            guard let repository = record.repository, let digest = record.digest, repositories.isEmpty || repositories.contains(repository) else {
                continue
            }
            latest["\(repository)@\(digest)"] = (index, record)
        }
        return latest.values.sorted { $0.0 > $1.0 }.map(\.1)
    }

    /// Restores `records` in order; once `stop` is requested the rest are left for a rerun
    /// (the results then cover fewer records than given).
    public func restore(_ records: [JournalRecord], stop: StopRequest? = nil) async -> [Restoration] {
        var results: [Restoration] = []
        for record in records {
            if stop?.isRequested == true { break }
            results.append(await restore(record))
        }
        return results
    }

    private func restore(_ record: JournalRecord) async -> Restoration {
        guard let repository = record.repository, let digest = record.digest, let bytes = record.manifestBytes, digest.matches(bytes) else {
            return Restoration(
                repository: record.repository ?? "?", digest: record.digest ?? Digest.sha256(of: []), tags: [], notes: [],
                status: .cannotRestore("the journal entry has no intact manifest"))
        }
        let mediaType = record.mediaType ?? ""
        var result = Restoration(repository: repository, digest: digest, tags: [], notes: [], status: .restored)
        do {
            var wanted: [String] = []
            for tag in record.tags ?? [] {
                if let now = try await client.manifestHead(repository, reference: tag)?.digest, now != digest {
                    result.notes.append("tag \(tag) now points at \(now.short); left alone")
                } else {
                    wanted.append(tag)
                }
            }
            let present = try await client.manifestHead(repository, reference: digest.description) != nil
            if !present, let missing = try await missingDependency(repository, bytes: bytes, mediaType: mediaType, digest: digest) {
                result.status = .cannotRestore(missing)
                return result
            }
            var putAny = false
            for tag in wanted {
                if try await client.manifestHead(repository, reference: tag)?.digest == digest {
                    result.tags.append(tag)
                    continue
                }
                try await client.putManifest(repository, reference: tag, bytes: bytes, mediaType: mediaType)
                result.tags.append(tag)
                putAny = true
            }
            if !present && !putAny {
                try await client.putManifest(repository, reference: digest.description, bytes: bytes, mediaType: mediaType)
                putAny = true
            }
            result.status = putAny ? .restored : .alreadyPresent
            if putAny {
                try? await journal?.append(JournalRecord(event: .restored, repository: repository, digest: digest, tags: result.tags))
            }
        } catch {
            result.status = .cannotRestore("\(error)")
        }
        return result
    }

    /// A blob or child manifest the registry no longer has (garbage collection ran), or nil.
    private func missingDependency(_ repository: String, bytes: [UInt8], mediaType: String, digest: Digest) async throws(RegistryAPIError) -> String?
    {
        let manifest: Manifest
        do { manifest = try Manifest.parse(bytes, contentType: mediaType, digest: digest) } catch {
            return "the journaled manifest does not parse: \(error.reason)"
        }
        for child in manifest.children where try await client.manifestHead(repository, reference: child.digest.description) == nil {
            return "child manifest \(child.digest.short) is not in the registry (restore it first, or it was garbage-collected)"
        }
        for blob in manifest.blobs where try await client.blobSize(repository, digest: blob.digest) == nil {
            return "blob \(blob.digest.short) is gone (garbage collection ran since the delete)"
        }
        return nil
    }
}
