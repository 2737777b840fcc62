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
    @Option(name: .long, help: "The retention policy (a Lua file, e.g. policies/in-use.lua).")
    var policy: String

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
    var maxDeletePercent: Double = 50

    @Option(
        name: .customLong("min-inventory"),
        help: "Smallest plausible inventory (default: the policy's min_inventory, in-use: 10); an empty one is always refused.")
    var minInventory: Int?

    @Option(name: .long, help: "Print why REPO[:TAG] or REPO@DIGEST is kept or deleted, rule by rule; repeatable (also for a refused plan).")
    var explain: [String] = []

    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        guard (0...100).contains(maxDeletePercent) else { throw ValidationError("--max-delete-percent must be between 0 and 100") }
        if let minInventory, minInventory < 0 { throw ValidationError("--min-inventory must be 0 or more") }
    }

    /// The engine's settings from these options.
    func settings() throws -> Planning.Settings {
        var settings = Planning.Settings(policy: policy, pluginPath: plugins.pluginPath)
        settings.policyOptions = try PolicyOptionSettings.parse(policyOptions)
        settings.inventoryPath = inventory
        settings.aliases = aliases
        settings.repositories = repositories
        settings.storageRoot = storageRoot
        settings.maxDeletePercent = maxDeletePercent
        settings.minInventory = minInventory
        return settings
    }

    /// Makes the plan; a refused plan's summary and `--explain` lines are printed (text
    /// output) before the refusal is thrown, so the operator can review what was refused.
    func makePlan(client: RegistryClient, output: OutputFormat) async throws -> Planning.Outcome {
        do {
            return try await Planning.makePlan(try settings(), client: client, events: CommandLog.events())
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
