import EvictorCore
import Foundation

/// One line of a copy journal (JSON lines): what reached the destination, so a stopped or
/// killed copy run again with the same journal says what an earlier run did.
public struct CopyRecord: Sendable, Codable, Hashable {
    public enum Event: String, Sendable, Codable, Hashable {
        /// A run started: `source` and `destination`.
        case begin
        /// A blob is in `repository` on the destination (`outcome`: sent, mounted, present).
        case blob
        /// A manifest is in `repository` on the destination (`outcome`: put, present).
        case manifest
        /// `tag` names `digest` on the destination (`outcome`: set, present), or was left
        /// alone (`skipped`, `reason`).
        case tag
        /// An image could not be copied; `reason` says why. A later run tries it again.
        case failed
    }

    public var event: Event
    public var at: Date
    public var source: String?
    public var destination: String?
    public var repository: String?
    public var digest: Digest?
    public var tag: String?
    public var outcome: String?
    public var bytes: Int64?
    public var reason: String?

    public init(
        event: Event, at: Date = Date(), source: String? = nil, destination: String? = nil, repository: String? = nil,
        digest: Digest? = nil, tag: String? = nil, outcome: String? = nil, bytes: Int64? = nil, reason: String? = nil
    ) {
        self.event = event
        self.at = at
        self.source = source
        self.destination = destination
        self.repository = repository
        self.digest = digest
        self.tag = tag
        self.outcome = outcome
        self.bytes = bytes
        self.reason = reason
    }
}
