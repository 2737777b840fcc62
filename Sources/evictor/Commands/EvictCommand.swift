import ArgumentParser
import EvictorEngine
import EvictorCore
import Foundation
import RegistryAPI

/// `evictor evict`: plan and apply in one go; a dry run unless --delete.
struct EvictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evict",
        abstract: "Plan with a policy and delete in one go (a dry run unless --delete).",
        discussion: """
            Writes to the registry only with --delete. The plan is the same one `evictor plan` \
            makes; --delete keeps it beside the journal (JOURNAL.plan.json) and applies it exactly \
            as `evictor apply` would, so an interrupted run resumes with `evictor apply \
            JOURNAL.plan.json --journal JOURNAL`. \(ApplyRun.exitStatusHelp)
            """
    )

    @Argument(help: "host[:port] (HTTPS), a URL such as http://127.0.0.1:5000, or a registry's name in --config.")
    var registry: String

    @OptionGroup var planning: PlanningOptions

    @Flag(name: .long, help: "Really delete (default: print what would be deleted).")
    var delete = false

    @Option(name: .long, help: "The journal (default: a new evictor-journal-<UTC time>.jsonl).")
    var journal: String?

    @Option(name: .long, help: "text, or json (what would be deleted, or the outcome of --delete, on stdout).")
    var output: OutputFormat = .text

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var configFile: ConfigOption

    /// The `--output json` of a dry run.
    struct DryRun: Encodable {
        struct Item: Encodable {
            var repository: String
            var digest: String
            var tags: [String]
            var reasons: [String]
        }

        var dryRun = true
        var registry: String
        var tagsTotal: Int
        var tagsDeleted: Int
        var wouldDelete: [Item]
    }

    func validate() throws {
        // Without a config file the policy can only come from the flag: a usage error (exit 64).
        if planning.policy == nil, !configFile.mayApply(to: registry) { throw ValidationError("Missing expected argument '--policy <policy>'") }
    }

    func run() async throws {
        let resolved = try configFile.resolve(registry)
        let settings = try planning.settings(for: resolved)
        // Only a run that deletes traps the signals: a dry run stops at the first Ctrl-C.
        let stop = delete ? SignalTrap.install() : StopRequest()
        let status = try await connection.withClient(for: resolved, defaultConcurrency: 16) { client -> Int32 in
            let outcome = try await planning.makePlan(client: client, output: output, settings: settings)
            if output == .text { planning.printReview(outcome) }
            guard delete else { return try dryRun(outcome.plan) }
            let files = try Evicting.files(journal: journal)
            if output == .text { print("plan kept at \(files.planPath)") }
            let applied = try await Evicting.delete(outcome.plan, files: files, client: client, stop: stop, events: CommandLog.events())
            let configPath = resolved.config == nil ? nil : configFile.config ?? ProcessInfo.processInfo.environment[ConfigLoader.environmentVariable]
            let config = configPath.map { ["--config", $0] } ?? []
            let resume =
                [CommandLine.arguments.first ?? "evictor", "apply", files.planPath, "--journal", files.journalPath] + connection.arguments + config
            return try ApplyRun.report(applied, registry: outcome.plan.registry, output: output, resumeCommand: resume)
        }
        if status != 0 { throw ExitCode(status) }
    }

    private func dryRun(_ plan: Plan) throws -> Int32 {
        switch output {
        case .json:
            try JSONOutput.print(
                DryRun(
                    registry: plan.registry, tagsTotal: plan.tagsTotal, tagsDeleted: plan.tagsDeleted,
                    wouldDelete: plan.actions.map {
                        DryRun.Item(repository: $0.repository, digest: $0.digest.description, tags: $0.tags, reasons: $0.reasons)
                    }
                ))
        case .text:
            for action in plan.actions.prefix(200) {
                let names = action.tags.isEmpty ? "(untagged)" : action.tags.joined(separator: ",")
                print("would delete\t\(action.repository)@\(action.digest)\t\(names)\t\(action.reasons.first ?? "")")
            }
            if plan.actions.count > 200 { print("... and \(plan.actions.count - 200) more (write them all with `evictor plan -o plan.json`)") }
            print("dry run: nothing deleted (add --delete)")
        }
        return ApplyRun.Status.done.rawValue
    }
}
