/// The final verdict for one tag or untagged manifest, with every step that led to it.
public struct ItemDecision: Sendable, Codable, Hashable {
    /// The tag, or nil for a manifest no tag points to.
    public var tag: String?
    public var digest: Digest
    public var verdict: Verdict
    public var steps: [DecisionStep]

    public init(tag: String?, digest: Digest, verdict: Verdict, steps: [DecisionStep]) {
        self.tag = tag
        self.digest = digest
        self.verdict = verdict
        self.steps = steps
    }

    /// `repo:tag` or `repo@digest`.
    public func name(in repository: String) -> String {
        tag.map { "\(repository):\($0)" } ?? "\(repository)@\(digest)"
    }
}

/// Every verdict for one repository after the policy and the safety rails.
public struct RepositoryDecision: Sendable {
    public var repository: String
    /// Tags newest first, then untagged manifests.
    public var items: [ItemDecision]

    public init(repository: String, items: [ItemDecision]) {
        self.repository = repository
        self.items = items
    }

    public var tagItems: [ItemDecision] { items.filter { $0.tag != nil } }
    public var deletedDigests: Set<Digest> { Set(items.filter { $0.verdict == .delete }.map(\.digest)) }
    public var keptDigests: Set<Digest> { Set(items.filter { $0.verdict == .keep }.map(\.digest)) }

    /// Lines explaining `tag` (or every item when nil), rule by rule.
    public func explain(tag: String?) -> [String] {
        var lines: [String] = []
        for item in items where tag == nil || item.tag == tag || item.digest.description == tag {
            lines.append("\(item.name(in: repository)) -> \(item.verdict.rawValue.uppercased())")
            for step in item.steps { lines.append("  \(step)") }
        }
        return lines
    }
}
