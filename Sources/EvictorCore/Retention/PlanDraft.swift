/// A plan built one repository at a time, as each is decided: its actions and summary are made
/// from the repository's snapshot when it is added, and of the snapshot only what the
/// reclaimable estimate needs is kept (64-bit keys and sizes), so a caller can let every
/// snapshot go once it is added. `Planner.draftPlan` turns the draft into a plan.
public struct PlanDraft: Sendable {
    private(set) var actions: [Plan.Action] = []
    private(set) var summaries: [Plan.RepositorySummary] = []
    /// Leading 64 bits of every manifest and blob a manifest that stays holds.
    private var surviving: Set<UInt64> = []
    /// Per repository added, what its deleted manifests hold (themselves and their blobs),
    /// in digest order: the leading 64 bits and the bytes.
    private var deletedHoldings: [String: [(key: UInt64, bytes: Int64)]] = [:]

    public init() {}

    /// Adds a decided repository (each repository once).
    public mutating func add(_ decision: RepositoryDecision, snapshot: RepositorySnapshot) {
        let repositoryActions = Planner.actions(for: decision, snapshot: snapshot)
        actions += repositoryActions
        let tagItems = decision.tagItems
        summaries.append(
            Plan.RepositorySummary(
                repository: decision.repository,
                tags: tagItems.count,
                tagsKept: tagItems.count { $0.verdict == .keep },
                tagsDeleted: tagItems.count { $0.verdict == .delete },
                manifestsDeleted: repositoryActions.count,
                reclaimableBytes: 0,  // known when every repository is in: `plan()`
                keptByRails: tagItems.count { item in
                    item.verdict == .keep && item.steps.contains { $0.origin != .rail && $0.verdict == .delete }
                        && !item.steps.contains { $0.origin == .policy && $0.verdict == .keep }
                }
            ))
        let deleted = decision.deletedDigests
        for image in snapshot.images.values where !deleted.contains(image.digest) {
            surviving.insert(image.digest.leadingBits)
            for blob in image.blobs { surviving.insert(blob.digest.leadingBits) }
        }
        var holdings: [(key: UInt64, bytes: Int64)] = []
        for digest in deleted.sorted() {
            guard let image = snapshot.images[digest] else { continue }
            holdings.append((digest.leadingBits, image.manifestSize))
            for blob in image.blobs { holdings.append((blob.digest.leadingBits, blob.size)) }
        }
        deletedHoldings[decision.repository, default: []] += holdings
    }

    /// The actions and summaries in repository order, each summary with the bytes garbage
    /// collection could free: blobs and manifests that only deleted manifests hold, across
    /// every repository added, each counted once, in the first repository (by name) that
    /// frees it. An estimate when only some repositories were planned: others may share
    /// blobs. The keys are each digest's leading 64 bits: at a million tags whole digests
    /// would take hundreds of megabytes, and a figure off by one blob in 2^64 decides nothing.
    func finished() -> (actions: [Plan.Action], summaries: [Plan.RepositorySummary]) {
        var counted: Set<UInt64> = []
        var bytesByRepository: [String: Int64] = [:]
        for repository in deletedHoldings.keys.sorted() {
            var bytes: Int64 = 0
            for holding in deletedHoldings[repository] ?? [] where !surviving.contains(holding.key) && counted.insert(holding.key).inserted {
                bytes += holding.bytes
            }
            bytesByRepository[repository] = bytes
        }
        var summaries = summaries
        for index in summaries.indices { summaries[index].reclaimableBytes = bytesByRepository[summaries[index].repository] ?? 0 }
        let inOrder = zip(summaries, summaries.dropFirst()).allSatisfy { $0.repository <= $1.repository }
        guard !inOrder else { return (actions, summaries) }
        let sortedSummaries = summaries.sorted { $0.repository < $1.repository }
        let rank = Dictionary(sortedSummaries.enumerated().map { ($1.repository, $0) }, uniquingKeysWith: { first, _ in first })
        let sortedActions = actions.enumerated().sorted {
            (rank[$0.element.repository] ?? 0, $0.offset) < (rank[$1.element.repository] ?? 0, $1.offset)
        }
        .map(\.element)
        return (sortedActions, sortedSummaries)
    }
}
