import ArgumentParser
import EvictorEngine
import EvictorCore
import EvictorScripting
import Eviction
import Foundation
import RegistryAPI
import RegistryStorage

/// Everything that shapes a plan; shared by `plan` and `evict`.
struct PlanningOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "The retention policy (a Lua file, e.g. policies/in-use.lua; default: the single policy of the --config registry).")
    var policy: String?

    @Option(name: .customLong("policy-option"), help: "KEY=VALUE for the policy's options; repeatable.")
    var policyOptions: [String] = []

    @Option(name: .long, help: "The inventory of images in use (images.json from `evictor inventory`).")
    var inventory: String?

    @Option(name: .customLong("registry-alias"), help: "Another name inventory entries use for this registry; repeatable.")
    var aliases: [String] = []

    @Option(
        name: [.customShort("r"), .customLong("repository")],
        help: "Plan only this repository; repeatable (default: all; an unknown one is an error).")
    var repositories: [String] = []

    @Option(name: .customLong("storage-root"), help: "The registry's storage root, read-only, to find untagged manifests.")
    var storageRoot: String?

    @Option(name: .customLong("max-delete-percent"), help: "Refuse a plan deleting a larger share of the tags (default 50).")
    var maxDeletePercent: Double?

    @Option(
        name: .customLong("min-inventory"),
        help: "Smallest plausible inventory (default: the policy's min_inventory, in-use: 10); an empty one is always refused.")
    var minInventory: Int?

    @Option(name: .long, help: "Print why REPO[:TAG] or REPO@DIGEST is kept or deleted, rule by rule; repeatable (also for a refused plan).")
    var explain: [String] = []

    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        if let maxDeletePercent, !(0...100).contains(maxDeletePercent) { throw ValidationError("--max-delete-percent must be between 0 and 100") }
        if let minInventory, minInventory < 0 { throw ValidationError("--min-inventory must be 0 or more") }
    }

    /// The engine's settings from these options, then the config file's registry (its single
    /// policy, aliases, storage root) and `safety` and `inventory.file` where no flag is given.
    func settings(for resolved: ResolvedRegistry? = nil) throws -> Planning.Settings {
        let file = resolved?.registry
        let config = file == nil ? nil : resolved?.config
        var (policyName, options) = (policy, try PolicyOptionSettings.parse(policyOptions))
        if policyName == nil, let file, !file.policies.isEmpty {
            guard file.policies.count == 1, let configured = file.policies.first else {
                throw ValidationError(
                    "registry \(file.name) has \(file.policies.count) policies: combining them comes with `evictor run`; give one with --policy")
            }
            if let pattern = configured.repositories {
                throw ValidationError(
                    "registry \(file.name): policy \(configured.policy) has repositories: \"\(pattern)\", which plan and evict do not apply yet; "
                        + "give --policy (and -r REPO)")
            }
            policyName = configured.policy
            options = configured.options.sorted { $0.key < $1.key }.map { ($0.key, Self.text(of: $0.value)) } + options
        }
        guard let policyName else { throw ValidationError("Missing expected argument '--policy <policy>'") }
        var settings = Planning.Settings(policy: policyName, pluginPath: plugins.pluginPath)
        settings.policyOptions = options
        settings.inventoryPath = inventory ?? config?.inventory?.file
        settings.aliases = aliases + (file?.aliases ?? [])
        settings.repositories = repositories
        settings.storageRoot = storageRoot ?? file?.storage.flatMap(Self.storageRoot)
        settings.maxDeletePercent = maxDeletePercent ?? config?.safety.maxDeletePercent ?? SafetyConfig.defaultMaxDeletePercent
        settings.minInventory = minInventory ?? config?.safety.minInventory
        return settings
    }

    /// A config option as `--policy-option` would give it (a list: its items joined by commas).
    static func text(of value: ConfigValue) -> String {
        switch value {
        case .string(let text): text
        case .integer(let number): String(number)
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .list(let items): items.map(text(of:)).joined(separator: ",")
        }
    }

    /// `storage.root`; `storage.config` is not read by plan and evict yet.
    static func storageRoot(_ storage: StorageConfig) -> String? {
        if case .root(let root) = storage { return root }
        return nil
    }

    /// Makes the plan; a refused plan's summary and `--explain` lines are printed (text
    /// output) before the refusal is thrown, so the operator can review what was refused.
    func makePlan(client: RegistryClient, output: OutputFormat, settings: Planning.Settings) async throws -> Planning.Outcome {
        do {
            return try await Planning.makePlan(settings, client: client, events: CommandLog.events())
        } catch let refusal as Planning.Refusal {
            if output == .text { printReview(refusal.refused) }
            throw refusal
        }
    }

    /// The summary table and every `--explain` line, on stdout.
    func printReview(_ outcome: Planning.Outcome) {
        PlanSummary.print(outcome.plan)
        for line in Planning.explanations(explain, in: outcome.decisions) { print(line) }
    }
}
