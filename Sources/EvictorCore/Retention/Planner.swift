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
        var actions: [Plan.Action] = []
        // At most one action per item: reserved once rather than grown by doubling.
        actions.reserveCapacity(decisions.reduce(0) { $0 + $1.items.count { $0.verdict == .delete } })
        var summaries: [Plan.RepositorySummary] = []
        let reclaimable = Self.reclaimableBytes(snapshots: snapshots, decisions: decisions)
        for decision in decisions.sorted(by: { $0.repository < $1.repository }) {
            guard let snapshot = byName[decision.repository] else { continue }
            let repositoryActions = Self.actions(for: decision, snapshot: snapshot)
            actions += repositoryActions
            let tagItems = decision.tagItems
            summaries.append(
                Plan.RepositorySummary(
                    repository: decision.repository,
                    tags: tagItems.count,
                    tagsKept: tagItems.filter { $0.verdict == .keep }.count,
                    tagsDeleted: tagItems.filter { $0.verdict == .delete }.count,
                    manifestsDeleted: repositoryActions.count,
                    reclaimableBytes: reclaimable[decision.repository] ?? 0,
                    keptByRails: tagItems.filter { item in
                        item.verdict == .keep && item.steps.contains { $0.origin != .rail && $0.verdict == .delete }
                            && !item.steps.contains { $0.origin == .policy && $0.verdict == .keep }
                    }.count
                ))
        }
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
        return sorted.map { digest in
            let image = snapshot.images[digest]
            return Plan.Action(
                repository: decision.repository, digest: digest, mediaType: image?.mediaType ?? "",
                tags: (tags[digest] ?? []).sorted(), reasons: reasons[digest] ?? [], size: image?.size ?? 0, phase: phase(digest)
            )
        }
    }

    /// Bytes garbage collection could free: blobs and manifests that only deleted manifests
    /// reference, across every repository in the snapshot (an estimate when only some
    /// repositories were planned: others may share blobs). The sets hold each digest's leading
    /// 64 bits: at a million tags whole digests would take hundreds of megabytes, and a figure
    /// off by one blob in 2^64 decides nothing.
    static func reclaimableBytes(snapshots: [RepositorySnapshot], decisions: [RepositoryDecision]) -> [String: Int64] {
        let deletedByRepository = Dictionary(decisions.map { ($0.repository, $0.deletedDigests) }, uniquingKeysWith: { $0.union($1) })
        var surviving: Set<UInt64> = []
        for snapshot in snapshots {
            let deleted = deletedByRepository[snapshot.name] ?? []
            for image in snapshot.images.values where !deleted.contains(image.digest) {
                surviving.insert(image.digest.leadingBits)
                for blob in image.blobs { surviving.insert(blob.digest.leadingBits) }
            }
        }
        var counted: Set<UInt64> = []
        var result: [String: Int64] = [:]
        for snapshot in snapshots.sorted(by: { $0.name < $1.name }) {
            var bytes: Int64 = 0
            for digest in (deletedByRepository[snapshot.name] ?? []).sorted() {
                guard let image = snapshot.images[digest] else { continue }
                let key = digest.leadingBits
                if !surviving.contains(key), counted.insert(key).inserted { bytes += image.manifestSize }
                for blob in image.blobs where !surviving.contains(blob.digest.leadingBits) && counted.insert(blob.digest.leadingBits).inserted {
                    bytes += blob.size
                }
            }
            result[snapshot.name] = bytes
        }
        return result
    }
}
