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

    @Option(name: .customLong("policy-option"), help: "KEY=VALUE for the policy's options (the same as --option POLICY.KEY=VALUE); repeatable.")
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

    @Option(name: .long, help: "The pull history (usage.sqlite in the state directory of `evictor serve`), read-only: policies see pulls.")
    var usage: String?

    @Option(name: .customLong("usage-registry"), help: "The registry's name in the usage store (default: its only one, or the --config name).")
    var usageRegistry: String?

    @Option(name: .long, help: "Print why REPO[:TAG] or REPO@DIGEST is kept or deleted, rule by rule; repeatable (also for a refused plan).")
    var explain: [String] = []

    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        if let maxDeletePercent, !(0...100).contains(maxDeletePercent) { throw ValidationError("--max-delete-percent must be between 0 and 100") }
        if let minInventory, minInventory < 0 { throw ValidationError("--min-inventory must be 0 or more") }
    }

    /// The engine's settings from these options, over the config file's registry (every policy
    /// with its options and repository pattern, aliases, storage root, `safety`, `inventory.file`)
    /// where no flag is given. `--policy` replaces the file's policies.
    func settings(for resolved: ResolvedRegistry? = nil) throws -> Planning.Settings {
        var settings: Planning.Settings
        if let registry = resolved?.registry, let config = resolved?.config {
            settings = try Planning.Settings(configured: registry, in: config, pluginPath: plugins.pluginPath(with: config))
        } else {
            settings = Planning.Settings(policies: [], pluginPath: plugins.pluginPath)
        }
        let options = try PolicyOptionSettings.parse(policyOptions)
        if let policy {
            settings.policies = [Planning.PolicyChoice(policy: policy, options: options + (try plugins.policySettings(for: policy)))]
        } else if settings.policies.count == 1 {
            settings.policies[0].options += options + (try plugins.policySettings(for: settings.policies[0].policy))
        } else if settings.policies.isEmpty {
            throw ValidationError("Missing expected argument '--policy <policy>'")
        } else {
            if !options.isEmpty {
                throw ValidationError("--policy-option needs --policy: the config file's registry has \(settings.policies.count) policies")
            }
            // Several policies: --option names which one.
            let byName = try plugins.optionSettings()
            let names = settings.policies.map { PolicyReference.name(of: $0.policy) }
            if let unknown = byName.keys.sorted().first(where: { !names.contains($0) }) {
                throw ValidationError("--option \(unknown).KEY: no policy named \(unknown) (policies: \(names.joined(separator: ", ")))")
            }
            for index in settings.policies.indices {
                settings.policies[index].options += byName[names[index]] ?? []
            }
        }
        settings.aliases = aliases + settings.aliases
        if let inventory { settings.inventoryPath = inventory }
        settings.repositories = repositories
        if let storageRoot { settings.storage = .root(storageRoot) }
        if let maxDeletePercent { settings.maxDeletePercent = maxDeletePercent }
        if let minInventory { settings.minInventory = minInventory }
        if let usage { settings.usagePath = usage }
        if let usageRegistry { settings.usageRegistry = usageRegistry }
        return settings
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
