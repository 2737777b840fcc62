import ArgumentParser
import EvictorEngine
import EvictorCore
import Foundation
import RegistryAPI

/// `evictor plan`: what a policy would delete, as a reviewed, versioned plan file.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Decide with a retention policy what may go; write the plan (nothing is deleted).",
        discussion: """
            Reads every tag (and, with --storage-root or the config's storage, untagged manifests), runs the policy per \
            repository, then the safety rails: in-use tags and digests, digests shared with kept \
            tags, children of kept indexes and referrers of kept images are kept. Refuses a plan \
            deleting more than --max-delete-percent of the tags. Apply it with `evictor apply`.
            """
    )

    @Argument(help: "host[:port] (HTTPS), a URL such as http://127.0.0.1:5000, or a registry's name in --config.")
    var registry: String

    @OptionGroup var planning: PlanningOptions

    @Option(name: [.customShort("o"), .customLong("plan-file")], help: "Write the plan here (e.g. plan.json).")
    var planFile: String?

    @Option(name: .long, help: "text (summary) or json (the whole plan on stdout).")
    var output: OutputFormat = .text

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var configFile: ConfigOption

    func validate() throws {
        // Without a config file the policy can only come from the flag: a usage error (exit 64).
        if planning.policy == nil, !configFile.mayApply(to: registry) { throw ValidationError("Missing expected argument '--policy <policy>'") }
    }

    func run() async throws {
        let resolved = try configFile.resolve(registry)
        let settings = try planning.settings(for: resolved)
        let outcome = try await connection.withClient(for: resolved, defaultConcurrency: 16) { client in
            try await planning.makePlan(client: client, output: output, settings: settings)
        }
        if let planFile { try PlanFile.write(outcome.plan, to: planFile) }
        switch output {
        case .json:
            let sink = FileSink(descriptor: STDOUT_FILENO)
            try PlanFile.encode(outcome.plan, into: sink)
            sink.flush()
        case .text:
            planning.printReview(outcome)
            if let planFile { print("plan written to \(planFile); apply it with: evictor apply \(planFile)") }
        }
    }
}

/// The human summary of a plan: a row per repository with something to delete, and totals.
enum PlanSummary {
    static func print(_ plan: Plan) {
        let rows = plan.repositories.filter { $0.manifestsDeleted > 0 || $0.keptByRails > 0 }
        let width = max(10, rows.map(\.repository.count).max() ?? 0)
        if !rows.isEmpty {
            Swift.print(
                "REPOSITORY".padding(toLength: width, withPad: " ", startingAt: 0) + "  TAGS  KEEP  DELETE  MANIFESTS  KEPT-BY-RAILS  RECLAIMABLE")
            for row in rows {
                Swift.print(
                    row.repository.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + String(row.tags).leftPadded(4) + "  "
                        + String(row.tagsKept).leftPadded(4)
                        + "  " + String(row.tagsDeleted).leftPadded(6) + "  " + String(row.manifestsDeleted).leftPadded(9) + "  "
                        + String(row.keptByRails).leftPadded(13)
                        + "  " + ByteCount.format(row.reclaimableBytes).leftPadded(11))
            }
        }
        let manifests = plan.actions.count
        Swift.print(
            "policy \(plan.policy.name): delete \(plan.tagsDeleted) of \(plan.tagsTotal) tags (\(manifests) manifest\(manifests == 1 ? "" : "s")) "
                + "in \(plan.repositories.count) repositories; about \(ByteCount.format(plan.reclaimableBytes)) reclaimable by garbage collection"
        )
    }
}

/// Human byte counts (powers of 1024).
enum ByteCount {
    static func format(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
