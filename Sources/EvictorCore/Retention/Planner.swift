import Foundation

/// Turns rail-checked decisions into a plan, refusing plans that fail the global rails: an
/// inventory that is missing or suspiciously small, or too large a share of tags deleted.
public struct Planner: Sendable {
    public var settings: Plan.Settings

    public init(settings: Plan.Settings) {
        self.settings = settings
    }

    /// A policy that decides by what is in use gets an inventory (policies/README.md, rail 5).
    /// What every given inventory must satisfy is `InventoryRails`.
    public func checkInventory(needed: Bool, given: Bool) throws(EvictorCoreError) {
        guard needed, !given else { return }
        throw .refused("the policy decides by what is in use and needs --inventory images.json (from `evictor inventory`)")
    }

    /// Builds the plan. Throws when it would delete more than `maxDeletePercent` of the tags.
    public func makePlan(
        registry: String, policy: Plan.Input, inventory: Plan.Input?, snapshots: [RepositorySnapshot], decisions: [RepositoryDecision],
        createdAt: Date = Date()
    ) throws(EvictorCoreError) -> Plan {
        let plan = draftPlan(
            registry: registry, policy: policy, inventory: inventory, snapshots: snapshots, decisions: decisions, createdAt: createdAt)
        try checkShare(plan)
        return plan
    }

    /// The plan before the share rail: for showing what a refused plan would have done. Only
    /// `makePlan`'s result may be applied.
    public func draftPlan(
        registry: String, policy: Plan.Input, inventory: Plan.Input?, snapshots: [RepositorySnapshot], decisions: [RepositoryDecision],
        createdAt: Date = Date()
    ) -> Plan {
        let byName = Dictionary(snapshots.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var draft = PlanDraft()
        for decision in decisions.sorted(by: { $0.repository < $1.repository }) {
            guard let snapshot = byName[decision.repository] else { continue }
            draft.add(decision, snapshot: snapshot)
        }
        return draftPlan(registry: registry, policy: policy, inventory: inventory, draft: draft, createdAt: createdAt)
    }

    /// The plan of a draft built repository by repository (see `draftPlan(...snapshots:...)`).
    public func draftPlan(registry: String, policy: Plan.Input, inventory: Plan.Input?, draft: PlanDraft, createdAt: Date = Date()) -> Plan {
        let (actions, summaries) = draft.finished()
        return Plan(
            createdAt: createdAt, registry: registry, policy: policy, inventory: inventory, settings: settings, actions: actions,
            repositories: summaries)
    }

    /// The share rail: refuses a plan deleting more than `maxDeletePercent` of the tags.
    public func checkShare(_ plan: Plan) throws(EvictorCoreError) {
        let total = plan.tagsTotal
        if total > 0 {
            let share = Double(plan.tagsDeleted) * 100 / Double(total)
            if share > settings.maxDeletePercent {
                throw .refused(
                    String(
                        format:
                            "the plan deletes %.1f%% of the tags (%d of %d), more than the limit of %g%% "
                            + "(--max-delete-percent, or safety.max_delete_percent in the config); "
                            + "review it with --explain and raise the limit to go ahead",
                        share, plan.tagsDeleted, total, settings.maxDeletePercent
                    ))
            }
        }
    }

    /// One action per deleted digest. Referrers go first, then indexes, then the manifests they
    /// list, so an interrupted run never leaves an index whose children are gone.
    static func actions(for decision: RepositoryDecision, snapshot: RepositorySnapshot) -> [Plan.Action] {
        var order: [Digest] = []
        var tags: [Digest: [String]] = [:]
        var reasons: [Digest: [String]] = [:]
        for item in decision.items where item.verdict == .delete {
            if tags[item.digest] == nil { order.append(item.digest) }
            tags[item.digest, default: []] += item.tag.map { [$0] } ?? []
            if let reason = item.steps.last(where: { $0.verdict == .delete })?.reason, !(reasons[item.digest] ?? []).contains(reason) {
                reasons[item.digest, default: []].append(reason)
            }
        }
        func phase(_ digest: Digest) -> Int {
            let image = snapshot.images[digest]
            if image?.subject != nil || (tags[digest] ?? []).contains(where: { RepositorySnapshot.subjectFromTagName($0) != nil }) { return 0 }
            return image?.isIndex == true ? 1 : 2
        }
        let sorted = order.enumerated().sorted { (phase($0.element), $0.offset) < (phase($1.element), $1.offset) }.map(\.element)
        var reasonLists: Set<[String]> = []  // most actions share one list of reasons: stored once
        return sorted.map { digest in
            let image = snapshot.images[digest]
            return Plan.Action(
                repository: decision.repository, digest: digest, mediaType: image?.mediaType ?? "",
                tags: (tags[digest] ?? []).sorted(), reasons: reasonLists.insert(reasons[digest] ?? []).memberAfterInsert, size: image?.size ?? 0,
                phase: phase(digest)
            )
        }
    }
}
