import EvictorCore
import Testing

/// Several policies on one repository: keep wins, unmarked items by the defaults of all.
@Suite("several policies combined")
struct CombinedVerdictsTests {
    static let digest = Digest.sha256(of: Array("untagged".utf8))

    @Test("an explicit keep of any policy wins over another's delete; reasons name the policy")
    func keepWins() {
        let deleting = PolicyVerdicts(tags: ["v1": [DecisionStep(.delete, "old", origin: .policy)]], defaultVerdict: .delete)
        let keeping = PolicyVerdicts(tags: ["v1": [DecisionStep(.keep, "young", origin: .policy)]], defaultVerdict: .keep)
        let combined = PolicyVerdicts.combined([("age", deleting), ("keep-last", keeping)])
        let (verdict, steps) = combined.verdict(forTag: "v1")
        #expect(verdict == .keep)
        #expect(steps.map(\.reason) == ["age: old", "keep-last: young"])
    }

    @Test("a policy that leaves an item unmarked and defaults to keep has no say; all defaulting to delete delete it")
    func defaults() {
        let inUse = PolicyVerdicts(tags: ["v1": [DecisionStep(.delete, "not in use", origin: .policy)]], defaultVerdict: .delete)
        let untagged = PolicyVerdicts(untagged: [Self.digest: [DecisionStep(.delete, "untagged", origin: .policy)]], defaultVerdict: .keep)
        let combined = PolicyVerdicts.combined([("in-use", inUse), ("untagged", untagged)])
        #expect(combined.verdict(forTag: "v1").0 == .delete)
        #expect(combined.verdict(forUntagged: Self.digest).0 == .delete)
        // Marked by nobody: kept, since untagged defaults to keep.
        #expect(combined.verdict(forTag: "v2").0 == .keep)
        let both = PolicyVerdicts.combined([("a", PolicyVerdicts(defaultVerdict: .delete)), ("b", PolicyVerdicts(defaultVerdict: .delete))])
        #expect(both.verdict(forTag: "v2").0 == .delete)
    }

    @Test("one policy is itself; none keeps everything")
    func oneAndNone() {
        let one = PolicyVerdicts(tags: ["v1": [DecisionStep(.delete, "old", origin: .policy)]], defaultVerdict: .delete)
        #expect(PolicyVerdicts.combined([("age", one)]) == one)
        #expect(PolicyVerdicts.combined([]).verdict(forTag: "v1").0 == .keep)
    }
}
