import EvictorCore
@testable import EvictorEngine
@testable import EvictorServer
import Eviction
import Foundation
import Testing

/// The SQLite history of `serve`: what a run stores, what the report and API read back, pruning.
@Suite("serve history")
struct RunHistoryTests {
    static func temporary() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-history-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func record(_ id: String, at seconds: Double, job: String = "plan", outcome: RunRecord.Outcome = .clean) -> RunRecord {
        var part = RunRecord.RegistryPart(name: "main", url: "http://127.0.0.1:5000", outcome: outcome)
        part.check = RunRecord.CheckStep(
            repositories: 2, tags: 5, manifests: 4, tagsChecked: 5, healthyTags: 4, problems: ["blob-missing": 1], report: "/r")
        part.plan = RunRecord.PlanStep(
            policy: "in-use", tagsTotal: 5, tagsPlanned: 2, manifestsPlanned: 2, reclaimableBytes: 2048, plan: "/p.json", refused: false)
        part.requests = 40
        part.retries = 1
        return RunRecord(
            id: id, job: job, config: "evictor.yaml", delete: false, startedAt: Date(timeIntervalSince1970: seconds),
            endedAt: Date(timeIntervalSince1970: seconds + 3), registries: [part], outcome: outcome, exitCode: outcome.exitCode(signal: nil),
            record: "/runs/\(id).json", pruned: 0)
    }

    static func details() throws -> RunDetails {
        var details = RunDetails()
        let digest = Digest.sha256(of: Array("v1".utf8))
        details.decisions["main"] = [
            RepositoryDecision(
                repository: "shop/app",
                items: [
                    ItemDecision(tag: "v1", digest: digest, verdict: .delete, steps: [DecisionStep(.delete, "in-use: not in use", origin: .policy)]),
                    ItemDecision(
                        tag: "v2", digest: Digest.sha256(of: Array("v2".utf8)), verdict: .keep,
                        steps: [DecisionStep(.keep, "in-use: one of the 1 newest", origin: .policy)]),
                ])
        ]
        details.reclaimable["main"] = ["shop/app": 2048]
        details.reports["main"] = HealthReport(
            registry: "127.0.0.1:5000", mode: "all", startedAt: "20261130T000000Z", summary: HealthReport.Summary(),
            findings: [
                HealthFinding(
                    repository: "shop/app", tag: "v3", digest: nil, problem: .blobMissing, detail: "layer gone", inUse: true, usedBy: ["static"])
            ])
        return details
    }

    @Test("a run's figures, findings, decisions with reasons and per-repository space come back; old runs are pruned")
    func roundTrip() throws {
        let directory = try Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let history = try RunHistory(path: "\(directory)/history.sqlite")
        let details = try Self.details()
        for index in 0..<5 {
            try history.record(
                Self.record("run-\(index)", at: 1_000 + Double(index) * 60), trigger: "schedule 0", registry: "main", details: details, keep: 3)
        }
        let runs = try history.runs(limit: 10)
        #expect(runs.map(\.id) == ["run-4", "run-3", "run-2"])
        let figures = try history.figures(registry: "main", limit: 10)
        #expect(figures.map(\.runID) == ["run-2", "run-3", "run-4"])
        #expect(figures.last?.tags == 5 && figures.last?.reclaimableBytes == 2048 && figures.last?.retries == 1)
        let report = try #require(try history.latestReport(registry: "main"))
        #expect(report.runID == "run-4" && report.json.contains("layer gone"))
        let planRun = try #require(try history.latestPlanRun(registry: "main"))
        let items = try history.planItems(runID: planRun, registry: "main")
        #expect(items.map(\.tag) == ["v1", "v2"])
        #expect(items.first?.reasons == ["delete policy: in-use: not in use"])
        #expect(try history.planItems(runID: planRun, registry: "main", search: "tools").isEmpty)
        #expect(try history.planRepositories(runID: planRun, registry: "main").first?.reclaimableBytes == 2048)
        #expect(try history.record(id: "run-0") == nil)
        #expect(try history.record(id: "run-4")?.contains("\"evictor-run\"") == true)

        // It survives reopening.
        let reopened = try RunHistory(path: "\(directory)/history.sqlite")
        #expect(try reopened.runs(limit: 10).count == 3)
    }
}
