import Foundation

/// A manifest the pull history saw pulled recently, for the `usage` capability of sources
/// (`host.pulled(days)`).
public struct PulledImage: Sendable, Equatable {
    /// The registry's `host:port`, as image references name it.
    public var registry: String
    public var repository: String
    public var digest: String
    /// Tags seen on it in the history.
    public var tags: [String]
    public var lastPulled: Date
    public var pullCount: Int

    public init(registry: String, repository: String, digest: String, tags: [String], lastPulled: Date, pullCount: Int) {
        self.registry = registry
        self.repository = repository
        self.digest = digest
        self.tags = tags
        self.lastPulled = lastPulled
        self.pullCount = pullCount
    }
}

/// What `host.pulled(days)` asks: the manifests pulled within `days` days.
public typealias PulledImages = @Sendable (_ days: Double) throws -> [PulledImage]
