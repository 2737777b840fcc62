import EvictorCore
import Foundation

/// One push, pull or delete of a manifest, from the registry's notifications or its access log.
public struct UsageEvent: Sendable, Hashable {
    public enum Action: String, Sendable {
        case push, pull, delete
    }

    /// What makes a replay count once: the registry's request id for pulls (the same in a
    /// notification and in the access log line), else the event's own id.
    public var key: String
    public var action: Action
    public var time: Date
    public var repository: String
    public var digest: Digest
    public var tag: String?

    public init(key: String, action: Action, time: Date, repository: String, digest: Digest, tag: String?) {
        self.key = key
        self.action = action
        self.time = time
        self.repository = repository
        self.digest = digest
        self.tag = tag
    }
}
