extension PolicyVerdicts {
    /// What several policies said about one repository, as one verdict set (keep wins):
    ///
    /// - an item some policy marked is kept if any policy marked it keep, deleted otherwise;
    /// - an item no policy marked takes the default only when every policy defaults to delete:
    ///   a policy that defaults to keep and leaves an item unmarked does not judge it (the
    ///   `untagged` policy never marks tags), and a policy that defaults to delete wants it gone.
    ///
    /// Each mark's reason is prefixed with its policy's name when there is more than one.
    public static func combined(_ verdicts: [(policy: String, verdicts: PolicyVerdicts)]) -> PolicyVerdicts {
        // No policy judges the repository: everything stays (never "all defaults say delete").
        guard !verdicts.isEmpty else { return PolicyVerdicts(defaultVerdict: .keep) }
        if verdicts.count == 1, let only = verdicts.first { return only.verdicts }
        var combined = PolicyVerdicts(defaultVerdict: verdicts.allSatisfy { $0.verdicts.defaultVerdict == .delete } ? .delete : .keep)
        for (policy, part) in verdicts {
            for (tag, steps) in part.tags { combined.tags[tag, default: []] += steps.map { named($0, policy) } }
            for (digest, steps) in part.untagged { combined.untagged[digest, default: []] += steps.map { named($0, policy) } }
        }
        return combined
    }

    private static func named(_ step: DecisionStep, _ policy: String) -> DecisionStep {
        DecisionStep(step.verdict, "\(policy): \(step.reason)", origin: step.origin)
    }
}
