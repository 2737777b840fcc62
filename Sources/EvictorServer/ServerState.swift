import EvictorCore
import EvictorEngine
import Foundation
import GRDB

/// What the endpoints read: the config, the history, the job runner and the metrics.
public struct ServerState: Sendable {
    public let config: EvictorConfig
    public let history: RunHistory
    public let runner: JobRunner
    public let metrics: ServerMetrics
    public let state: StateDirectory
    /// The pull history the notifications receiver writes (STATE/usage.sqlite).
    public let usage: UsageStore

    /// The config file the server was started with (for the commands the report shows).
    var configPath: String? { runner.configPath.isEmpty ? nil : runner.configPath }

    /// The inventory file jobs write and read (nil: the config has no inventory).
    var inventoryPath: String? {
        guard let inventory = config.inventory else { return nil }
        return inventory.file ?? "\(state.path)/images.json"
    }

    /// Why the server is not ready (nil: it is): the state directory must be writable.
    func readinessProblem() -> String? {
        let probe = "\(state.path)/.ready-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: probe, contents: nil) else { return "the state directory \(state.path) is not writable" }
        try? FileManager.default.removeItem(atPath: probe)
        return nil
    }

    /// The nagios answer: healthy unless a registry's latest check found problems (a
    /// repository without tags does not count), and one line saying which tags.
    func nagiosStatus(registry: String?) throws -> (healthy: Bool, text: String) {
        let names = registry.map { [$0] } ?? config.registries.map(\.name)
        var problems: [String] = []
        var unchecked: [String] = []
        var checkedTags = 0
        for name in names {
            guard config.registry(named: name) != nil else { return (false, "UNKNOWN - no registry named \(name)") }
            guard let stored = try history.latestReport(registry: name) else {
                unchecked.append(name)
                continue
            }
            let report = try VersionedDocument.decoder().decode(HealthReport.self, from: Data(stored.json.utf8))
            checkedTags += report.summary.tagsChecked
            for finding in report.findings where finding.problem != .noTags {
                let reference = finding.tag.isEmpty ? finding.repository : "\(finding.repository):\(finding.tag)"
                problems.append("\(name) \(reference) \(finding.problem.rawValue)\(finding.inUse ? " (in use)" : "")")
            }
        }
        if !problems.isEmpty {
            let shown = problems.prefix(20).joined(separator: "; ")
            return (false, "CRITICAL - \(problems.count) problem\(problems.count == 1 ? "" : "s"): \(shown)\(problems.count > 20 ? "; ..." : "")")
        }
        if !unchecked.isEmpty { return (false, "UNKNOWN - not checked yet: \(unchecked.joined(separator: ", "))") }
        return (true, "OK - \(checkedTags) tags checked in \(names.count) registr\(names.count == 1 ? "y" : "ies"), no problems")
    }

    /// Per registry: its name, URL and the figures of its latest runs.
    func registrySummaries() throws -> [RegistrySummary] {
        try config.registries.map { registry in
            let figures = try history.figures(registry: registry.name, limit: 50)
            return RegistrySummary(
                name: registry.name, url: registry.url,
                deleteAllowed: config.deletesAllowed(on: registry.name),
                lastCheck: figures.last { $0.tagsChecked != nil }, lastPlan: figures.last { $0.tagsPlanned != nil })
        }
    }

    /// A run's record as stored (JSON).
    func runRecord(id: String) throws -> String? { try history.record(id: id) }

    /// The latest plan of `registry`: its figures, repositories and every decision with reasons.
    func latestPlan(registry: String, search: String?) throws -> PlanView? {
        guard let runID = try history.latestPlanRun(registry: registry) else { return nil }
        return PlanView(
            run: runID, registry: registry, repositories: try history.planRepositories(runID: runID, registry: registry),
            items: try history.planItems(runID: runID, registry: registry, search: search?.isEmpty == true ? nil : search))
    }
}

/// `/api/v1/registries`: one registry.
struct RegistrySummary: Sendable, Codable {
    var name: String
    var url: String
    var deleteAllowed: Bool
    var lastCheck: RegistryFigures?
    var lastPlan: RegistryFigures?
}

/// `/api/v1/registries/NAME/plan`: the latest plan's decisions.
struct PlanView: Sendable, Codable {
    var run: String
    var registry: String
    var repositories: [PlanRepositoryRow]
    var items: [PlanItemRow]
}

/// `/api/v1/registries/NAME/usage`: the pull history of a registry's manifests.
struct UsageView: Sendable, Codable {
    var since: Date?
    var manifests: [UsageRow]
}
