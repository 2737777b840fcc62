import Foundation

/// What the usage store knows about one manifest: when it was pushed, last pulled, and how
/// often. A manifest the store has no record of has no facts at all (unknown is not unused).
public struct UsageFacts: Sendable, Hashable, Codable {
    /// The first push the store saw (nil: before the store's data, or never seen).
    public var pushed: Date?
    /// The last counted pull (a GET by anyone but Evictor; nil: none seen).
    public var lastPulled: Date?
    /// Counted pulls since the store has data.
    public var pullCount: Int

    public init(pushed: Date?, lastPulled: Date?, pullCount: Int) {
        self.pushed = pushed
        self.lastPulled = lastPulled
        self.pullCount = pullCount
    }
}
