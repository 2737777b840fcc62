import EvictorCore
import Foundation

/// One line of a deletion journal (JSON lines). An `intent` is written and flushed to disk
/// before every DELETE, with the manifest bytes, so `restore` can put it back.
public struct JournalRecord: Sendable, Codable, Hashable {
    public enum Event: String, Sendable, Codable, Hashable {
        /// A run of `apply` started: registry and plan.
        case begin
        /// About to delete: manifest bytes, media type, the tags on it.
        case intent
        /// The registry confirmed the delete.
        case deleted
        /// The manifest was already gone.
        case gone
        /// Not deleted on purpose (a tag moved); `reason` says why.
        case skipped
        /// The delete failed; `reason` says why. A later run retries it.
        case failed
        /// `restore` put the manifest and its tags back.
        case restored
    }

    public var event: Event
    public var at: Date
    public var registry: String?
    /// sha256 of the plan file this journal belongs to.
    public var plan: String?
    public var repository: String?
    public var digest: Digest?
    public var mediaType: String?
    public var tags: [String]?
    /// The manifest, base64.
    public var manifest: String?
    public var reason: String?

    public init(
        event: Event, at: Date = Date(), registry: String? = nil, plan: String? = nil, repository: String? = nil, digest: Digest? = nil,
        mediaType: String? = nil, tags: [String]? = nil, manifest: [UInt8]? = nil, reason: String? = nil
    ) {
        self.event = event
        self.at = at
        self.registry = registry
        self.plan = plan
        self.repository = repository
        self.digest = digest
        self.mediaType = mediaType
        self.tags = tags
        self.manifest = manifest.map { Data($0).base64EncodedString() }
        self.reason = reason
    }

    /// The manifest bytes of an intent.
    public var manifestBytes: [UInt8]? { manifest.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } }
}
