import ArgumentParser
import EvictorCore
import EvictorScripting
import Eviction
import Foundation
import RegistryAPI
import RegistryStorage

/// Everything that shapes a plan; shared by `plan` and `evict`.
struct PlanningOptions: ParsableArguments {
    @Option(name: .long, help: "The retention policy (a Lua file, e.g. policies/in-use.lua).")
    var policy: String

    @Option(name: .customLong("policy-option"), help: "KEY=VALUE for the policy's options; repeatable.")
    var policyOptions: [String] = []

    @Option(name: .long, help: "The inventory of images in use (images.json from `evictor inventory`).")
    var inventory: String?

    @Option(name: .customLong("registry-alias"), help: "Another name inventory entries use for this registry; repeatable.")
    var aliases: [String] = []

    @Option(name: [.customShort("r"), .customLong("repository")], help: "Plan only this repository; repeatable (default: all; an unknown one is an error).")
    var repositories: [String] = []

    @Option(name: .customLong("storage-root"), help: "The registry's storage root, read-only, to find untagged manifests.")
    var storageRoot: String?

    @Option(name: .customLong("max-delete-percent"), help: "Refuse a plan deleting a larger share of the tags (default 50).")
    var maxDeletePercent: Double = 50

    @Option(name: .customLong("min-inventory"), help: "Smallest plausible inventory (default: the policy's min_inventory, in-use: 10); an empty one is always refused.")
    var minInventory: Int?

    @Option(name: .long, help: "Print why REPO[:TAG] or REPO@DIGEST is kept or deleted, rule by rule; repeatable (also for a refused plan).")
    var explain: [String] = []

    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        guard (0...100).contains(maxDeletePercent) else { throw ValidationError("--max-delete-percent must be between 0 and 100") }
        if let minInventory, minInventory < 0 { throw ValidationError("--min-inventory must be 0 or more") }
    }

    /// Loads policy and inventory (failing before any registry request), snapshots the
    /// registry, runs the policy and the rails, and returns the plan with every decision. A
    /// plan the share rail refuses goes to `refused` for review before the refusal is thrown.
    func makePlan(
        client: RegistryClient, progress: ProgressDisplay, refused: (Plan, [RepositoryDecision]) -> Void = { _, _ in }
    ) async throws -> (Plan, [RepositoryDecision]) {
        let policy = try await PolicyPlugin.load(named: self.policy, pluginPath: plugins.pluginPath, log: CommandLog.handler(prefix: self.policy))
        let settings = try PolicyOptionSettings.parse(policyOptions)
        let options = try policy.resolveOptions(settings: settings)
        let planner = Planner(settings: Plan.Settings(
            maxDeletePercent: maxDeletePercent, minInventory: minInventory ?? policy.minInventory,
            policyOptions: Dictionary(settings, uniquingKeysWith: { _, last in last }), registryAliases: aliases
        ))
        try planner.checkInventory(needed: policy.needsInventory, given: inventory != nil)
        var inventoryInput: Plan.Input?
        var onRegistry: [InventoryImage] = []
        var inventoryCount: Int?
        if let inventory {
            let loaded = try InventoryFile.read(inventory)
            onRegistry = try InventoryRails.imagesOnRegistry(loaded, registry: client.registry, aliases: aliases, minimum: planner.settings.minInventory)
            inventoryCount = loaded.images.count
            inventoryInput = Plan.Input(name: "inventory", file: inventory, sha256: Digest.sha256(ofFileAt: inventory)?.hex ?? "")
        }
        let storage = try storageRoot.map { path throws in try StorageLayout(root: path) }

        let collector = SnapshotCollector(client: client, storage: storage)
        var (snapshots, gaps) = try await collector.snapshots(of: repositories) { done, total in progress.update(done: done, total: total) }
        if !gaps.unreadableTags.isEmpty {
            CommandLog.warn("\(gaps.unreadableTags.count) tag(s) could not be read and are left out of the plan (run `evictor check`): \(gaps.unreadableTags.prefix(5).joined(separator: ", "))")
        }
        let usage = InUseIndex(images: onRegistry)
        for index in snapshots.indices { usage.annotate(&snapshots[index]) }

        let context = PolicyContext(options: options, registry: client.registry, inventory: inventoryCount.map { ($0, onRegistry.count) })
        var decisions: [RepositoryDecision] = []
        for snapshot in snapshots {
            let verdicts = try await PolicyRunner.decide(policy, snapshot: snapshot, context: context)
            decisions.append(SafetyRails.apply(to: snapshot, verdicts: verdicts))
        }
        let plan = planner.draftPlan(
            registry: client.configuration.endpoint.baseURL, policy: Plan.Input(name: policy.name, file: policy.file, sha256: policy.sha256),
            inventory: inventoryInput, snapshots: snapshots, decisions: decisions
        )
        do {
            try planner.checkShare(plan)
        } catch {
            refused(plan, decisions)
            throw error
        }
        return (plan, decisions)
    }

    /// The summary table and every `--explain` line, on stdout.
    func printReview(_ plan: Plan, _ decisions: [RepositoryDecision]) {
        PlanSummary.print(plan)
        for line in explanations(decisions) { print(line) }
    }

    /// `--explain` output for the requested repositories and tags.
    func explanations(_ decisions: [RepositoryDecision]) -> [String] {
        var lines: [String] = []
        for request in explain {
            let (repository, tag) = Self.split(request)
            guard let decision = decisions.first(where: { $0.repository == repository }) else {
                lines.append("\(request): no such repository in the plan")
                continue
            }
            let explained = decision.explain(tag: tag)
            lines += explained.isEmpty ? ["\(request): no such tag"] : explained
        }
        return lines
    }

    /// `repo[:tag]` (a colon after the last slash separates the tag) or `repo@digest`.
    static func split(_ text: String) -> (String, String?) {
        if let at = text.firstIndex(of: "@") { return (String(text[..<at]), String(text[text.index(after: at)...])) }
        guard let colon = text.lastIndex(of: ":"), !text[colon...].contains("/") else { return (text, nil) }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}
