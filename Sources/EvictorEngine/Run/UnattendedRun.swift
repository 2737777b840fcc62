import EvictorCore
import EvictorScripting
import Eviction
import Foundation
import RegistryAPI

/// The `evictor run` use case: the whole nightly job from a config file. The inventory first
/// (once, for every registry), then per registry the health check, the plan with every policy
/// (keep wins), and with `delete` the apply; a run record in the state directory, and old
/// state pruned. Anything that stops a registry's part (registry down, policy error, refused
/// plan) stops it before its deletes; an inventory that is stale or fails stops every part.
public enum UnattendedRun {
    public struct Settings: Sendable {
        public var config: EvictorConfig
        /// The config file (recorded; relative paths in it are the caller's business).
        public var configPath: String
        /// Only these registries (empty: every one in the config), in the config's order.
        public var registries: [String] = []
        /// Really delete (default: plan and report what would go).
        public var delete = false
        public var pluginPath: PluginPath
        public var environment: [String: String]
        /// The steps to run (default: all of them, as `evictor run` does; a scheduled job runs some).
        public var steps: Steps = .all
        /// What the run is recorded as (`run`, or a scheduled job's name).
        public var job = "run"

        public init(config: EvictorConfig, configPath: String, pluginPath: PluginPath, environment: [String: String]) {
            self.config = config
            self.configPath = configPath
            self.pluginPath = pluginPath
            self.environment = environment
        }
    }

    /// The steps of a run. Without `inventory`, an existing inventory file is used whatever its
    /// age (and none is fine); `plan` includes the deletes when `delete` is set.
    public struct Steps: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let inventory = Steps(rawValue: 1)
        public static let check = Steps(rawValue: 2)
        public static let plan = Steps(rawValue: 4)
        /// A read-only scan of each registry's storage (`storage` in the config), as `evictor storage scan`.
        public static let storageScan = Steps(rawValue: 8)
        public static let all: Steps = [.inventory, .check, .plan]
    }

    /// What a registry's part tells the caller as it goes (for a human summary).
    public enum Milestone: Sendable {
        case inventory(RunRecord.InventoryStep)
        case registryStarted(name: String, url: String)
        case checked(RunRecord.CheckStep)
        /// The check's report.
        case checkReport(registry: String, HealthReport)
        /// The plan, or the refused plan (its actions and per-repository figures).
        case planned(RunRecord.PlanStep, plan: Plan)
        /// Every decision behind a registry's plan (kept and deleted, with their reasons).
        case decided(registry: String, [RepositoryDecision])
        /// The deletes of a registry, with the journal that restores them.
        case deletions(registry: String, journal: String, [ApplyReport.Entry])
        case applied(RunRecord.ApplyStep)
        case registryFailed(name: String, error: String)
    }

    /// Runs the job; the record is written to `runs/` before it is returned. Throws only when
    /// the state directory cannot be used (nothing ran then).
    public static func run(
        _ settings: Settings, stop: StopRequest, events: @escaping EngineEvents, milestones: @escaping @Sendable (Milestone) -> Void = { _ in }
    ) async throws -> RunRecord {
        let state = try StateDirectory(path: settings.config.state.directory)
        return try await run(settings, state: state, stop: stop, events: events, milestones: milestones)
    }

    /// Runs the job in `state`, which the caller holds open (a server that runs jobs one after
    /// another keeps the directory's lock for its whole life).
    public static func run(
        _ settings: Settings, state: StateDirectory, stop: StopRequest, events: @escaping EngineEvents,
        milestones: @escaping @Sendable (Milestone) -> Void = { _ in }
    ) async throws -> RunRecord {
        let selected = try selectedRegistries(settings)
        let started = Date()
        let recordPath = try UniquePath.makeFile(stem: state.file("runs", stamp: UTCStamp.string(started)), suffix: ".json")
        let id = ((recordPath as NSString).lastPathComponent as NSString).deletingPathExtension
        var record = RunRecord(
            id: id, job: settings.job, config: settings.configPath, delete: settings.delete, startedAt: started, registries: [], outcome: .clean,
            exitCode: 0,
            record: recordPath, pruned: 0)
        do {
            // Every registry's policies and storage settings, before anything runs.
            for registry in selected where settings.steps.contains(.plan) {
                do {
                    let planning = try Planning.Settings(configured: registry, in: settings.config, pluginPath: settings.pluginPath)
                    if !planning.policies.isEmpty { try await Planning.validatePolicies(planning, events: events) }
                } catch {
                    throw PreflightFailure(description: "registry \(registry.name): \(error)")
                }
            }
            if settings.steps.contains(.inventory) {
                record.inventory = try await RunInventory.prepare(
                    settings.config.inventory, defaultFile: "\(state.path)/images.json", pluginPath: settings.pluginPath, now: started,
                    pulled: PulledImagesProvider.make(for: settings.config), protectedVariables: settings.config.credentialVariables,
                    events: events)
                if let inventory = record.inventory { milestones(.inventory(inventory)) }
            }
            for registry in selected where !settings.steps.isDisjoint(with: [.check, .plan, .storageScan]) {
                guard stop.signal == nil else { break }
                milestones(.registryStarted(name: registry.name, url: registry.url))
                var part = RunRecord.RegistryPart(name: registry.name, url: registry.url, outcome: .clean)
                do {
                    try await runRegistry(
                        registry, part: &part, id: id, state: state, settings: settings, stop: stop, events: events, milestones: milestones)
                } catch {
                    part.outcome = .couldNotRun
                    part.error = "\(error)"
                    milestones(.registryFailed(name: registry.name, error: "\(error)"))
                }
                record.registries.append(part)
            }
            record.outcome = record.registries.map(\.outcome).max() ?? .clean
            let expected = settings.steps.isDisjoint(with: [.check, .plan, .storageScan]) ? 0 : selected.count
            if stop.signal != nil, record.registries.count < expected { record.outcome = .stopped }
        } catch {
            record.outcome = .couldNotRun
            record.error = "\(error)"
        }
        record.exitCode = record.outcome.exitCode(signal: stop.signal)
        record.endedAt = Date()
        record.pruned = state.prune(keep: settings.config.state.keep).count
        try AtomicFile.write(VersionedDocument.encoder().encode(record), to: recordPath, permissions: 0o600)
        return record
    }

    /// A registry whose policies or storage settings are broken: the run does not start.
    struct PreflightFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// The registries to run, in the config's order; an unknown name is an error listing them.
    static func selectedRegistries(_ settings: Settings) throws -> [RegistryConfig] {
        let known = settings.config.registries.map(\.name)
        for name in settings.registries where !known.contains(name) {
            throw ConfigError.unknownRegistry(file: settings.configPath, name: name, known: known)
        }
        return settings.config.registries.filter { settings.registries.isEmpty || settings.registries.contains($0.name) }
    }

    private static func runRegistry(
        _ registry: RegistryConfig, part: inout RunRecord.RegistryPart, id: String, state: StateDirectory, settings: Settings, stop: StopRequest,
        events: @escaping EngineEvents, milestones: @Sendable (Milestone) -> Void
    ) async throws {
        var planning = try Planning.Settings(configured: registry, in: settings.config, pluginPath: settings.pluginPath)
        var inventoryPath = settings.config.inventory == nil ? nil : (settings.config.inventory?.file ?? "\(state.path)/images.json")
        if !settings.steps.contains(.inventory), let path = inventoryPath, !FileManager.default.fileExists(atPath: path) { inventoryPath = nil }
        planning.inventoryPath = inventoryPath
        let client = try RegistryClient(registry.clientConfiguration(environment: settings.environment))
        do {
            try await runSteps(
                registry, client: client, planning: planning, part: &part, id: id, state: state, settings: settings, stop: stop,
                events: events, milestones: milestones)
        } catch {
            (part.requests, part.retries) = (client.requestCount, client.retryCount)
            await client.shutdown()
            throw error
        }
        (part.requests, part.retries) = (client.requestCount, client.retryCount)
        await client.shutdown()
    }

    private static func runSteps(
        _ registry: RegistryConfig, client: RegistryClient, planning: Planning.Settings, part: inout RunRecord.RegistryPart, id: String,
        state: StateDirectory, settings: Settings, stop: StopRequest, events: @escaping EngineEvents, milestones: @Sendable (Milestone) -> Void
    ) async throws {
        if settings.steps.contains(.storageScan) {
            guard let storage = registry.storage else {
                throw EngineError.missingInput("registry \(registry.name) has no storage (root or config) to scan")
            }
            let scanned = try StorageScan.run(
                StorageScan.Settings(
                    storage: try StorageSource(checking: storage),
                    reportDirectory: try UniquePath.makeDirectory(state.file("reports", stamp: id, name: registry.name + "-storage"))))
            let report = scanned.report
            part.storage = RunRecord.StorageStep(
                repositories: report.repositories, tags: report.tags, manifests: report.manifests, blobs: report.blobs,
                problems: report.problems, report: scanned.reportDirectory)
            if !report.findings.isEmpty { part.outcome = max(part.outcome, .problemsFound) }
        }
        if settings.steps.contains(.check) {
            try await check(registry, client: client, planning: planning, part: &part, id: id, state: state, events: events, milestones: milestones)
        }
        guard settings.steps.contains(.plan), !planning.policies.isEmpty else { return }
        try await plan(
            registry, client: client, planning: planning, part: &part, id: id, state: state, settings: settings, stop: stop, events: events,
            milestones: milestones)
    }

    private static func check(
        _ registry: RegistryConfig, client: RegistryClient, planning: Planning.Settings, part: inout RunRecord.RegistryPart, id: String,
        state: StateDirectory, events: @escaping EngineEvents, milestones: @Sendable (Milestone) -> Void
    ) async throws {
        let checked = try await HealthCheck.run(
            HealthCheck.Settings(
                inventoryPath: planning.inventoryPath, all: true, aliases: planning.aliases,
                reportDirectory: try UniquePath.makeDirectory(state.file("reports", stamp: id, name: registry.name))),
            client: client, events: events)
        let summary = checked.report.summary
        let census = try await RegistryCensus.count(client: client, byRepository: false, manifests: true, events: events)
        let check = RunRecord.CheckStep(
            repositories: census.repositories, tags: census.tags, manifests: census.manifests ?? 0, bytes: summary.bytes,
            tagsChecked: summary.tagsChecked,
            healthyTags: summary.healthyTags, problems: summary.problems, report: checked.reportDirectory)
        part.check = check
        milestones(.checkReport(registry: registry.name, checked.report))
        milestones(.checked(check))
        // A repository without tags is reported, not a problem: deleting a repository's last tag
        // makes one, and the registry API cannot remove it (`evictor storage rm` can).
        if checked.report.findings.contains(where: { $0.problem != .noTags }) { part.outcome = .problemsFound }
    }

    private static func plan(
        _ registry: RegistryConfig, client: RegistryClient, planning: Planning.Settings, part: inout RunRecord.RegistryPart, id: String,
        state: StateDirectory, settings: Settings, stop: StopRequest, events: @escaping EngineEvents, milestones: @Sendable (Milestone) -> Void
    ) async throws {
        let outcome: Planning.Outcome
        do {
            outcome = try await Planning.makePlan(planning, client: client, events: events)
        } catch let refusal as Planning.Refusal {
            let path = try UniquePath.makeFile(stem: state.file("plans", stamp: id, name: registry.name) + ".refused", suffix: ".json")
            try PlanFile.write(refusal.refused.plan, to: path)
            let step = planStep(refusal.refused.plan, path: path, refused: true)
            part.plan = step
            milestones(.planned(step, plan: refusal.refused.plan))
            milestones(.decided(registry: registry.name, refusal.refused.decisions))
            throw refusal
        }
        let plan = outcome.plan
        milestones(.decided(registry: registry.name, outcome.decisions))
        guard settings.delete else {
            let path = try UniquePath.makeFile(stem: state.file("plans", stamp: id, name: registry.name), suffix: ".json")
            try PlanFile.write(plan, to: path)
            let step = planStep(plan, path: path, refused: false)
            part.plan = step
            milestones(.planned(step, plan: plan))
            return
        }
        let journal = try UniquePath.makeFile(stem: state.file("journals", stamp: id, name: registry.name), suffix: ".jsonl")
        let files = Evicting.Files(journalPath: journal, planPath: Evicting.planPath(forJournal: journal))
        let step = planStep(plan, path: files.planPath, refused: false)
        part.plan = step
        milestones(.planned(step, plan: plan))
        let applied = try await Evicting.delete(plan, files: files, client: client, stop: stop, events: events)
        let report = applied.report
        let gone = Set(report.entries.filter { $0.outcome == .deleted || $0.outcome == .deletedEarlier }.map { "\($0.repository)@\($0.digest)" })
        let tagsDeleted = plan.actions.filter { gone.contains("\($0.repository)@\($0.digest)") }.reduce(0) { $0 + $1.tags.count }
        let apply = RunRecord.ApplyStep(
            deleted: report.deleted, alreadyGone: report.alreadyGone, skipped: report.skipped.count, failed: report.failed.count,
            notStarted: report.notStarted, tagsDeleted: tagsDeleted, journal: journal)
        part.apply = apply
        milestones(.deletions(registry: registry.name, journal: journal, report.entries))
        milestones(.applied(apply))
        let applyOutcome: RunRecord.Outcome =
            switch applied.status {
            case .done: .clean
            case .failed: .someFailed
            case .skipped: .someSkipped
            case .stopped: .stopped
            }
        part.outcome = max(part.outcome, applyOutcome)
    }

    private static func planStep(_ plan: Plan, path: String, refused: Bool) -> RunRecord.PlanStep {
        RunRecord.PlanStep(
            policy: plan.policy.name, tagsTotal: plan.tagsTotal, tagsPlanned: plan.tagsDeleted, manifestsPlanned: plan.actions.count,
            reclaimableBytes: plan.reclaimableBytes, plan: path, refused: refused)
    }
}
