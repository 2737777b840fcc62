import Foundation

/// One image in use, with every place it was seen and when it was last wanted.
public struct InventoryImage: Sendable, Hashable, Codable {
    public var reference: ImageReference
    /// Where it was seen: `k8s;CONTEXT;NAMESPACE;KIND/NAME`, `compose;FILE;SERVICE`, `static;FILE`.
    public var seenAt: [String]
    /// When something last wanted it (a running pod now, a finished job when it ran).
    public var lastWanted: Date?
    /// The sources that reported it.
    public var sources: [String]

    public init(reference: ImageReference, seenAt: [String], lastWanted: Date? = nil, sources: [String]) {
        self.reference = reference
        self.seenAt = seenAt
        self.lastWanted = lastWanted
        self.sources = sources
    }

    /// Merges another sighting of the same reference.
    mutating func absorb(_ other: InventoryImage) {
        seenAt = Array(Set(seenAt + other.seenAt)).sorted()
        sources = Array(Set(sources + other.sources)).sorted()
        switch (lastWanted, other.lastWanted) {
        case (nil, let theirs): lastWanted = theirs
        case (let ours?, let theirs?): lastWanted = max(ours, theirs)
        default: break
        }
    }
}
