import EvictorCore

/// One image to copy: a repository on the source and a tag, a digest, or both (an inventory's
/// `repo:tag@digest`: the digest is copied, the tag only while it still points there).
public struct CopyItem: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var repository: String
    public var tag: String?
    public var digest: Digest?

    public init(repository: String, tag: String? = nil, digest: Digest? = nil) {
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    public var description: String {
        var text = repository
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }

    public static func < (lhs: CopyItem, rhs: CopyItem) -> Bool { lhs.description < rhs.description }
}
