import EvictorCore
import EvictorEngine
import Eviction
import Synchronization

/// What a job's milestones said beyond its record, gathered while it runs for the history:
/// check reports, plan decisions, reclaimable bytes per repository, deletions.
public struct RunDetails: Sendable {
    public var reports: [String: HealthReport] = [:]
    public var decisions: [String: [RepositoryDecision]] = [:]
    /// Per registry, per repository: bytes garbage collection could reclaim after the plan.
    public var reclaimable: [String: [String: Int64]] = [:]
    public var deletions: [String: (journal: String, entries: [ApplyReport.Entry])] = [:]

    public init() {}

    /// Takes in one milestone.
    public mutating func add(_ milestone: UnattendedRun.Milestone, registry current: String?) {
        switch milestone {
        case .checkReport(let registry, let report): reports[registry] = report
        case .decided(let registry, let items): decisions[registry] = items
        case .deletions(let registry, let journal, let entries): deletions[registry] = (journal, entries)
        case .planned(_, let plan):
            if let current { reclaimable[current] = Dictionary(plan.repositories.map { ($0.repository, $0.reclaimableBytes) }, uniquingKeysWith: +) }
        case .inventory, .registryStarted, .checked, .applied, .registryFailed: break
        }
    }
}

/// Gathers `RunDetails` from milestones that arrive on any thread.
final class RunDetailsCollector: Sendable {
    private let state = Mutex<(details: RunDetails, registry: String?)>((RunDetails(), nil))

    func add(_ milestone: UnattendedRun.Milestone) {
        state.withLock { state in
            if case .registryStarted(let name, _) = milestone { state.registry = name }
            state.details.add(milestone, registry: state.registry)
        }
    }

    var details: RunDetails { state.withLock { $0.details } }
}
