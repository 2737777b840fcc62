/// Keep or delete: the outcome for one tag or manifest.
public enum Verdict: String, Sendable, Codable, Hashable {
    case keep, delete
}

/// One reason behind a verdict, in the order it was reached.
public struct DecisionStep: Sendable, Codable, Hashable, CustomStringConvertible {
    /// Who decided: the policy, the policy's default, or an engine safety rail.
    public enum Origin: String, Sendable, Codable, Hashable {
        case policy, `default`, rail
    }

    public var verdict: Verdict
    public var reason: String
    public var origin: Origin

    public init(_ verdict: Verdict, _ reason: String, origin: Origin) {
        self.verdict = verdict
        self.reason = reason
        self.origin = origin
    }

    public var description: String { "\(verdict.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) \(origin.rawValue): \(reason)" }
}

/// What a policy said about one repository: its marks per tag and per untagged manifest, and
/// its verdict for tags it did not mark.
public struct PolicyVerdicts: Sendable, Equatable {
    public var tags: [String: [DecisionStep]]
    public var untagged: [Digest: [DecisionStep]]
    public var defaultVerdict: Verdict

    public init(tags: [String: [DecisionStep]] = [:], untagged: [Digest: [DecisionStep]] = [:], defaultVerdict: Verdict = .keep) {
        self.tags = tags
        self.untagged = untagged
        self.defaultVerdict = defaultVerdict
    }

    /// The policy's outcome for a tag: keep if any mark keeps, delete if any mark deletes,
    /// else the default. Keep wins: a rule that keeps is never overruled by one that deletes.
    public func verdict(forTag name: String) -> (Verdict, [DecisionStep]) {
        let marks = tags[name] ?? []
        if marks.isEmpty {
            return (defaultVerdict, [DecisionStep(defaultVerdict, "not marked by the policy (default \(defaultVerdict.rawValue))", origin: .default)])
        }
        return (Self.resolve(marks), marks)
    }

    /// The policy's outcome for an untagged manifest: kept unless the policy deletes it.
    public func verdict(forUntagged digest: Digest) -> (Verdict, [DecisionStep]) {
        let marks = untagged[digest] ?? []
        if marks.isEmpty { return (.keep, [DecisionStep(.keep, "untagged manifests are kept unless the policy deletes them", origin: .default)]) }
        return (Self.resolve(marks), marks)
    }

    private static func resolve(_ marks: [DecisionStep]) -> Verdict {
        marks.contains { $0.verdict == .keep } ? .keep : .delete
    }
}
