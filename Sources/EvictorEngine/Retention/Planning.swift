import EvictorCore
import EvictorScripting
import Eviction
import Foundation
import LuaRuntime
import RegistryAPI
import RegistryStorage

/// The `plan` use case: load policy and inventory (failing before any registry request),
/// snapshot the registry, run the policy per repository, apply the safety rails, and make the
/// plan, refused when it deletes too large a share.
public enum Planning {
    /// One policy of a plan, and the repositories it applies to.
    public struct PolicyChoice: Sendable {
        /// A policy file, or the name of one on the plugin path or built in.
        public var policy: String
        /// `KEY=VALUE` settings of the policy's options, in order.
        public var options: [(String, String)]
        /// A regular expression: the policy judges the repositories whose name it matches (nil: all).
        public var repositories: String?

        public init(policy: String, options: [(String, String)] = [], repositories: String? = nil) {
            self.policy = policy
            self.options = options
            self.repositories = repositories
        }
    }

    /// Everything that shapes a plan.
    public struct Settings: Sendable {
        /// The policies; where several judge a repository, keep wins (`PolicyVerdicts.combined`).
        public var policies: [PolicyChoice]
        public var inventoryPath: String?
        public var aliases: [String] = []
        /// Plan only these repositories (empty: all).
        public var repositories: [String] = []
        /// The registry's store (a root on disk, or its config file: filesystem or s3), read
        /// only, to find untagged manifests.
        public var storage: StorageSource?
        public var maxDeletePercent: Double = 50
        /// nil: the largest `min_inventory` of the policies.
        public var minInventory: Int?
        public var pluginPath: PluginPath
        /// The usage store (`usage.sqlite` of `serve`), read-only: policies see pulls.
        public var usagePath: String?
        /// The registry's name in the usage store (nil: the store's only registry).
        public var usageRegistry: String?

        public init(policies: [PolicyChoice], pluginPath: PluginPath) {
            self.policies = policies
            self.pluginPath = pluginPath
        }

        /// One policy for every repository.
        public init(policy: String, pluginPath: PluginPath) {
            self.init(policies: [PolicyChoice(policy: policy)], pluginPath: pluginPath)
        }

        /// The options of the first policy (the only one, for a plan with one).
        public var policyOptions: [(String, String)] {
            get { policies.first?.options ?? [] }
            set { if !policies.isEmpty { policies[0].options = newValue } }
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
        let policies = try await loadPolicies(settings, events: events)
        let minInventory = settings.minInventory ?? policies.map(\.plugin.minInventory).max() ?? 0
        let planner = Planner(
            settings: Plan.Settings(
                maxDeletePercent: settings.maxDeletePercent, minInventory: minInventory,
                policyOptions: policies.count == 1 ? Dictionary(settings.policyOptions, uniquingKeysWith: { _, last in last }) : [:],
                registryAliases: settings.aliases
            ))
        try planner.checkInventory(needed: policies.contains { $0.plugin.needsInventory }, given: settings.inventoryPath != nil)
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
        let storage: StorageLayout?
        if let source = settings.storage {
            storage = try await BlockingWork.run { try source.layout() }
        } else {
            storage = nil
        }

        let usage = InUseIndex(images: onRegistry)
        var usageStore: (store: UsageStore, registry: String)?
        var usageSince: Date?
        if let path = settings.usagePath {
            let store = try UsageStore(readingAt: path)
            let name = try usageRegistryName(settings.usageRegistry, in: store, path: path)
            usageSince = try store.since(registry: name)
            usageStore = (store, name)
        }

        // One repository at a time: read (a batch at once), decide, add to the plan, let go.
        let now = Date()  // one clock for the whole plan
        var reader = SnapshotCollector(client: client, storage: storage).reader(
            of: settings.repositories, progress: progressReporter(events, phase: "plan"))
        var decisions: [RepositoryDecision] = []
        var draft = PlanDraft()
        while var snapshot = try await reader.next() {
            usage.annotate(&snapshot)
            if let usageStore { snapshot.usage = try usageStore.store.facts(registry: usageStore.registry, repository: snapshot.name) }
            var parts: [(policy: String, verdicts: PolicyVerdicts)] = []
            for policy in policies where policy.applies(to: snapshot.name) {
                var context = PolicyContext(
                    now: now, options: policy.options, registry: client.registry, inventory: inventoryCount.map { ($0, onRegistry.count) })
                context.usageSince = usageSince
                parts.append((policy.plugin.name, try await PolicyRunner.decide(policy.plugin, snapshot: snapshot, context: context)))
            }
            let decision = SafetyRails.apply(to: snapshot, verdicts: PolicyVerdicts.combined(parts))
            draft.add(decision, snapshot: snapshot)
            decisions.append(decision)
        }
        let gaps = reader.gaps
        if !gaps.unreadableTags.isEmpty {
            events(
                .warning(
                    "\(gaps.unreadableTags.count) tag(s) could not be read and are left out of the plan (run `evictor check`): "
                        + "\(gaps.unreadableTags.prefix(5).joined(separator: ", "))"
                ))
        }
        var plan = planner.draftPlan(
            registry: client.configuration.endpoint.baseURL, policy: combinedInput(policies), inventory: inventoryInput, draft: draft)
        if policies.count > 1 || policies.contains(where: { $0.choice.repositories != nil }) {
            plan.policies = policies.map { policy in
                Plan.PolicyUse(
                    policy: Plan.Input(name: policy.plugin.name, file: policy.plugin.file, sha256: policy.plugin.sha256),
                    repositories: policy.choice.repositories,
                    options: Dictionary(policy.choice.options, uniquingKeysWith: { _, last in last }))
            }
        }
        do {
            try planner.checkShare(plan)
        } catch {
            throw Refusal(reason: error, refused: Outcome(plan: plan, decisions: decisions))
        }
        return Outcome(plan: plan, decisions: decisions)
    }

    /// Loads every policy and checks its options, as `makePlan` does first: for a caller that
    /// wants a broken policy found before it does anything else.
    public static func validatePolicies(_ settings: Settings, events: @escaping EngineEvents) async throws {
        _ = try await loadPolicies(settings, events: events)
    }

    private static func loadPolicies(_ settings: Settings, events: @escaping EngineEvents) async throws -> [LoadedPolicy] {
        guard !settings.policies.isEmpty else { throw EngineError.missingInput("no policy: give --policy, or policies in the config file") }
        var policies: [LoadedPolicy] = []
        for choice in settings.policies {
            let plugin = try await PolicyPlugin.load(
                named: choice.policy, pluginPath: settings.pluginPath, log: pluginLogHandler(events, plugin: choice.policy))
            let pattern = try choice.repositories.map { text throws in
                do { return try NSRegularExpression(pattern: text) } catch {
                    throw EngineError.invalidSettings("policy \(choice.policy): repositories \"\(text)\" is not a regular expression")
                }
            }
            policies.append(
                LoadedPolicy(choice: choice, plugin: plugin, options: try plugin.resolveOptions(settings: choice.options), pattern: pattern))
        }
        return policies
    }

    /// The registry's name in the usage store: the one asked for, else the store's only one.
    private static func usageRegistryName(_ asked: String?, in store: UsageStore, path: String) throws -> String {
        let known = try store.registries()
        if let asked { return asked }
        if known.isEmpty { return "" }  // no data yet: every manifest's usage is unknown
        guard known.count == 1, let only = known.first else {
            throw EngineError.invalidSettings(
                "the usage store \(path) has registries \(known.joined(separator: ", ")): name one with --usage-registry")
        }
        return only
    }

    /// A policy ready to decide, with where it applies.
    private struct LoadedPolicy {
        var choice: PolicyChoice
        var plugin: PolicyPlugin
        var options: LuaValue
        var pattern: NSRegularExpression?

        func applies(to repository: String) -> Bool {
            guard let pattern else { return true }
            return pattern.firstMatch(in: repository, range: NSRange(repository.startIndex..., in: repository)) != nil
        }
    }

    /// The plan's `policy`: the one policy, or the names of several joined by ` + `, with the
    /// sha256 of their sha256s.
    private static func combinedInput(_ policies: [LoadedPolicy]) -> Plan.Input {
        if policies.count == 1, let only = policies.first {
            return Plan.Input(name: only.plugin.name, file: only.plugin.file, sha256: only.plugin.sha256)
        }
        let identity = policies.map(\.plugin.sha256).joined(separator: "\n")
        return Plan.Input(
            name: policies.map(\.plugin.name).joined(separator: " + "), file: policies.map(\.plugin.file).joined(separator: " + "),
            sha256: Digest.sha256(of: Array(identity.utf8)).hex)
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
