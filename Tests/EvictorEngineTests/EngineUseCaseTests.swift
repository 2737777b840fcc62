import EvictorCore
import EvictorEngine
import EvictorScripting
import EvictorTestSupport
import Eviction
import Foundation
import RegistryAPI
import Synchronization
import Testing

/// The use cases run in-process against the real registry (no evictor subprocess): what a
/// scheduler or a server will call.
@Suite("engine use cases in-process")
struct EngineUseCaseTests {
    static let base = Date(timeIntervalSince1970: 1_700_000_000)

    /// `shop/app:v1..v4` (one a day) and `tools/debug:latest`.
    static func seed(_ registry: RegistryServer) async throws {
        let layout = try OCILayoutBuilder.temporary()
        defer { layout.remove() }
        for day in 1...4 {
            _ = try layout.addImage(tag: "v\(day)", TestImageSpec(created: base.addingTimeInterval(Double(day) * 86_400), layerSeed: "engine-\(day)"))
            try await Skopeo.push(layout: layout, tag: "v\(day)", to: registry, repository: "shop/app")
        }
        _ = try layout.addImage(tag: "latest", TestImageSpec(created: base, layerSeed: "engine-debug"))
        try await Skopeo.push(layout: layout, tag: "latest", to: registry, repository: "tools/debug")
    }

    static func client(_ registry: RegistryServer) throws -> RegistryClient {
        let endpoint = try RegistryEndpoint(parsing: registry.url, plainHTTP: false)
        return try RegistryClient(RegistryClientConfiguration(endpoint: endpoint))
    }

    static func work() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Collects events for assertions.
    final class Recorder: Sendable {
        let events = Mutex<[EngineEvent]>([])
        var sink: EngineEvents { { event in self.events.withLock { $0.append(event) } } }
        var progressPhases: Set<String> {
            events.withLock { Set($0.compactMap { if case .progress(let phase, _, _) = $0 { phase } else { nil } }) }
        }
    }

    @Test("plan, apply and check in-process: the plan keeps the inventory's tag, apply deletes the rest, check sees the result")
    func planApplyCheck() async throws {
        try await RegistryServer.with { registry in
            try await Self.seed(registry)
            let work = try Self.work()
            defer { try? FileManager.default.removeItem(at: work) }
            let inventory = work.appendingPathComponent("images.json").path
            try InventoryFile.write(
                Inventory(images: [
                    InventoryImage(
                        reference: try ImageReference(parsing: "\(registry.hostPort)/shop/app:v1"), seenAt: ["k8s;prod;shop;Deployment/app"],
                        sources: ["k8s"])
                ]), to: inventory)
            let client = try Self.client(registry)
            let recorder = Recorder()

            var settings = Planning.Settings(policy: "keep-last", pluginPath: PluginPath(directories: []))
            settings.policyOptions = [("keep", "1"), ("repositories", "^shop/")]
            settings.inventoryPath = inventory
            settings.maxDeletePercent = 100
            let outcome = try await Planning.makePlan(settings, client: client, events: recorder.sink)
            #expect(outcome.plan.tagsTotal == 5)
            #expect(Set(outcome.plan.actions.flatMap(\.tags)) == ["v2", "v3"], "keep-last keeps v4, the inventory keeps v1")
            #expect(Planning.explanations(["shop/app:v1"], in: outcome.decisions).first == "shop/app:v1 -> KEEP")
            #expect(recorder.progressPhases.contains("plan"))

            let planPath = work.appendingPathComponent("plan.json").path
            try PlanFile.write(outcome.plan, to: planPath)
            let journal = PlanApplication.defaultJournalPath(forPlan: planPath)
            #expect(journal == work.appendingPathComponent("plan.journal.jsonl").path)
            let applied = try await PlanApplication.apply(
                outcome.plan, planPath: planPath, journalPath: journal, client: client, stop: StopRequest(), events: recorder.sink)
            #expect(applied.status == .done)
            #expect(applied.report.deleted == 2)
            #expect(try Journal.read(journal).filter { $0.event == .intent }.count == 2)
            let tags = try await RegistryCensus.tags(client: client, repositories: [], resolveDigests: false).map { "\($0.repository):\($0.tag)" }
            #expect(tags == ["shop/app:v1", "shop/app:v4", "tools/debug:latest"])

            let counts = try await RegistryCensus.count(client: client, byRepository: true, manifests: true, events: recorder.sink)
            #expect(counts.tags == 3 && counts.repositories == 2 && counts.manifests == 3)
            #expect(counts.byRepository?.first { $0.repository == "shop/app" }?.tags == 2)

            let check = try await HealthCheck.run(
                HealthCheck.Settings(inventoryPath: inventory, all: true, reportDirectory: work.appendingPathComponent("report").path),
                client: client, events: recorder.sink
            )
            #expect(check.report.summary.tagsChecked == 3)
            #expect(check.report.summary.healthyTags == 3)
            #expect(check.report.findings.isEmpty)
            #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("report/report.json").path))

            // Restore through the engine puts the two back.
            let candidates = try Restoring.candidates(journalPath: journal, repositories: [])
            #expect(candidates.records.count == 2)
            let restored = try await Restoring.restore(candidates, journalPath: journal, client: client, stop: StopRequest())
            #expect(restored.results.filter { $0.status == .restored }.count == 2 && restored.notAttempted == 0)
            await client.shutdown()
        }
    }

    @Test("a refused plan carries what it would have done; a foreign inventory and an unknown repository are errors")
    func refusals() async throws {
        try await RegistryServer.with { registry in
            try await Self.seed(registry)
            let work = try Self.work()
            defer { try? FileManager.default.removeItem(at: work) }
            let client = try Self.client(registry)
            var settings = Planning.Settings(policy: "keep-last", pluginPath: PluginPath(directories: []))
            settings.policyOptions = [("keep", "1")]
            settings.maxDeletePercent = 10
            do {
                _ = try await Planning.makePlan(settings, client: client, events: { _ in })
                Issue.record("a plan deleting 3 of 5 tags passed a 10% limit")
            } catch let refusal as Planning.Refusal {
                #expect(refusal.refused.plan.tagsDeleted == 3)
                #expect(refusal.description.contains("the limit of 10%"))
            }

            let inventory = work.appendingPathComponent("images.json").path
            try InventoryFile.write(
                Inventory(images: [
                    InventoryImage(reference: try ImageReference(parsing: "elsewhere.example:5000/shop/app:v1"), seenAt: ["x"], sources: ["static"])
                ]), to: inventory)
            settings.inventoryPath = inventory
            settings.maxDeletePercent = 100
            await #expect(throws: EvictorCoreError.self) { try await Planning.makePlan(settings, client: client, events: { _ in }) }
            await #expect(throws: EvictorCoreError.self) {
                try await HealthCheck.run(HealthCheck.Settings(inventoryPath: inventory), client: client, events: { _ in })
            }
            await #expect(throws: RegistryAPIError.notFound(registry: registry.hostPort, what: "repository nosuch/repo")) {
                try await RegistryCensus.tags(client: client, repositories: ["nosuch/repo", "shop/app"], resolveDigests: false)
            }
            await client.shutdown()
        }
    }

    @Test("storage use cases in-process: scan finds the damage, fix quarantines it, revert restores it, gc is a dry run unless applied")
    func storage() async throws {
        let work = try Self.work()
        defer { try? FileManager.default.removeItem(at: work) }
        let root = work.appendingPathComponent("store")
        let seeder = StorageSeeder(root: root)
        let built = try seeder.image(repository: "team/app", tags: ["v1", "v2"], spec: TestImageSpec(created: Self.base, layerSeed: "engine-store"))
        let broken = seeder.repositoryPath("team/app", "_manifests/tags/broken/current/link")
        try FileManager.default.createDirectory(at: broken.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(("sha256:" + String(repeating: "cd", count: 32)).utf8).write(to: broken)
        let orphan = try seeder.blob(Data("engine orphan".utf8))
        _ = built

        let scan = try StorageScan.run(StorageScan.Settings(root: root.path, reportDirectory: work.appendingPathComponent("scan").path))
        #expect(scan.report.findings.map(\.tag) == ["broken"], "\(scan.report.findings)")

        let quarantine = work.appendingPathComponent("quarantine").path
        var fix = StorageRepair.Settings(root: root.path, quarantine: quarantine, pluginPath: PluginPath(directories: []))
        let dry = try await StorageRepair.fix(fix, stop: StopRequest(), events: { _ in })
        #expect(dry.wouldMove.count == 1 && dry.moved.isEmpty && dry.problemsFound == 1)
        #expect(FileManager.default.fileExists(atPath: broken.path))
        fix.apply = true
        let fixed = try await StorageRepair.fix(fix, stop: StopRequest(), events: { _ in })
        #expect(fixed.moved.map(\.path) == ["repositories/team/app/_manifests/tags/broken"], "\(fixed.moved)")
        #expect(fixed.session != nil && fixed.stoppedBy == nil)
        #expect(!FileManager.default.fileExists(atPath: broken.path))
        let reverted = try StorageRepair.revert(root: root.path, quarantine: quarantine)
        #expect(reverted.restored.count == 1 && reverted.conflicts.isEmpty)
        #expect(FileManager.default.fileExists(atPath: broken.path))

        let dryGC = try StorageCollection.run(StorageCollection.Settings(root: root.path), stop: StopRequest())
        #expect(dryGC.plan.blobs.keys.map(\.description) == [orphan])
        #expect(dryGC.freed == 0 && FileManager.default.fileExists(atPath: seeder.blobPath(orphan).path))
        let gc = try StorageCollection.run(StorageCollection.Settings(root: root.path, apply: true), stop: StopRequest())
        #expect(gc.freed == 13 && gc.stoppedBy == nil)
        #expect(!FileManager.default.fileExists(atPath: seeder.blobPath(orphan).path))

        let rm = try StorageRemoval.run(StorageRemoval.Settings(root: root.path, image: "team/app:v2"))
        #expect(rm.paths.map(\.path) == ["repositories/team/app/_manifests/tags/v2"], "\(rm.paths)")
        #expect(rm.removed.isEmpty)
    }

    @Test("inventory collection in-process: a static list merged and written; an unknown source names the plugin path")
    func inventory() async throws {
        let work = try Self.work()
        defer { try? FileManager.default.removeItem(at: work) }
        let list = work.appendingPathComponent("list.txt")
        try Data("registry.example.com/shop/app:v1\nregistry.example.com/tools/debug\n".utf8).write(to: list)
        let output = work.appendingPathComponent("images.json").path
        let settings = InventoryCollection.Settings(
            sources: [try InventoryCollection.SourceRequest(parsing: "static:\(list.path)")], outputPath: output,
            pluginPath: PluginPath(directories: [])
        )
        let inventory = try await InventoryCollection.collect(settings, events: { _ in })
        #expect(inventory.images.map(\.reference.description) == ["registry.example.com/shop/app:v1", "registry.example.com/tools/debug"])
        #expect(try InventoryFile.read(output).images.count == 2)
        let unknown = InventoryCollection.Settings(
            sources: [try InventoryCollection.SourceRequest(parsing: "nosuch")], outputPath: output, pluginPath: PluginPath(directories: []))
        do {
            _ = try await InventoryCollection.collect(unknown, events: { _ in })
            Issue.record("an unknown source was accepted")
        } catch {
            #expect("\(error)".contains("--plugin-path"), "\(error)")
        }
    }
}
