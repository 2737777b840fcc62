import EvictorCore
import EvictorScripting
import Eviction
import Foundation
import RegistryAPI
import RegistryStorage

/// The `plan` use case: load policy and inventory (failing before any registry request),
/// snapshot the registry, run the policy per repository, apply the safety rails, and make the
/// plan, refused when it deletes too large a share.
public enum Planning {
    /// Everything that shapes a plan.
    public struct Settings: Sendable {
        /// A policy file, or the name of one on the plugin path or built in.
        public var policy: String
        /// `KEY=VALUE` settings of the policy's options, in order.
        public var policyOptions: [(String, String)] = []
        public var inventoryPath: String?
        public var aliases: [String] = []
        /// Plan only these repositories (empty: all).
        public var repositories: [String] = []
        /// The registry's storage root, read-only, to find untagged manifests.
        public var storageRoot: String?
        public var maxDeletePercent: Double = 50
        /// nil: the policy's own `min_inventory`.
        public var minInventory: Int?
        public var pluginPath: PluginPath

        public init(policy: String, pluginPath: PluginPath) {
            self.policy = policy
            self.pluginPath = pluginPath
        }
    }

    /// A plan and every decision behind it (for `--explain`).
    public struct Outcome: Sendable {
        public var plan: Plan
        public var decisions: [RepositoryDecision]
    }

    /// A plan the share rail refused, with what it would have done, for review.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public var reason: EvictorCoreError
        public var refused: Outcome
        public var description: String { reason.description }
    }

    /// Makes the plan. Throws `Refusal` when it deletes more than `maxDeletePercent` of the
    /// tags, and the layers' errors when it cannot be made.
    public static func makePlan(_ settings: Settings, client: RegistryClient, events: @escaping EngineEvents) async throws -> Outcome {
        let policy = try await PolicyPlugin.load(
            named: settings.policy, pluginPath: settings.pluginPath, log: pluginLogHandler(events, plugin: settings.policy))
        let options = try policy.resolveOptions(settings: settings.policyOptions)
        let planner = Planner(
            settings: Plan.Settings(
                maxDeletePercent: settings.maxDeletePercent, minInventory: settings.minInventory ?? policy.minInventory,
                policyOptions: Dictionary(settings.policyOptions, uniquingKeysWith: { _, last in last }), registryAliases: settings.aliases
            ))
        try planner.checkInventory(needed: policy.needsInventory, given: settings.inventoryPath != nil)
        var inventoryInput: Plan.Input?
        var onRegistry: [InventoryImage] = []
        var inventoryCount: Int?
        if let inventory = settings.inventoryPath {
            let loaded = try InventoryFile.read(inventory)
            onRegistry = try InventoryRails.imagesOnRegistry(
                loaded, registry: client.registry, aliases: settings.aliases, minimum: planner.settings.minInventory)
            inventoryCount = loaded.images.count
            inventoryInput = Plan.Input(name: "inventory", file: inventory, sha256: Digest.sha256(ofFileAt: inventory)?.hex ?? "")
        }
        let storage = try settings.storageRoot.map { path throws in try StorageLayout(root: path) }

        let collector = SnapshotCollector(client: client, storage: storage)
        var (snapshots, gaps) = try await collector.snapshots(of: settings.repositories, progress: progressReporter(events, phase: "plan"))
        if !gaps.unreadableTags.isEmpty {
            events(
                .warning(
                    "\(gaps.unreadableTags.count) tag(s) could not be read and are left out of the plan (run `evictor check`): "
                        + "\(gaps.unreadableTags.prefix(5).joined(separator: ", "))"
                ))
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
            throw Refusal(reason: error, refused: Outcome(plan: plan, decisions: decisions))
        }
        return Outcome(plan: plan, decisions: decisions)
    }

    /// The lines that explain `requests` (`repo`, `repo:tag` or `repo@digest`), rule by rule.
    public static func explanations(_ requests: [String], in decisions: [RepositoryDecision]) -> [String] {
        var lines: [String] = []
        for request in requests {
            let (repository, tag) = split(request)
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
    public static func split(_ text: String) -> (String, String?) {
        if let at = text.firstIndex(of: "@") { return (String(text[..<at]), String(text[text.index(after: at)...])) }
        guard let colon = text.lastIndex(of: ":"), !text[colon...].contains("/") else { return (text, nil) }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}
