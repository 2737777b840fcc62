import ArgumentParser
import EvictorCore
import Eviction
import Foundation
import RegistryAPI

/// `evictor evict`: plan and apply in one go; a dry run unless --delete.
struct EvictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evict",
        abstract: "Plan with a policy and delete in one go (a dry run unless --delete).",
        discussion: "The plan is the same one `evictor plan` makes; --delete applies it exactly as `evictor apply` would."
    )

    @Argument(help: "host[:port] (HTTPS) or a URL such as http://127.0.0.1:5000.")
    var registry: String

    @OptionGroup var planning: PlanningOptions

    @Flag(name: .long, help: "Really delete (default: print what would be deleted).")
    var delete = false

    @Option(name: .long, help: "The journal (default: evictor-journal-<UTC time>.jsonl).")
    var journal: String?

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let client = try connection.makeClient(for: registry, defaultConcurrency: 16)
        let report: ApplyReport?
        do {
            let (plan, decisions) = try await planning.makePlan(client: client, progress: ProgressDisplay(label: "plan"))
            PlanSummary.print(plan)
            for line in planning.explanations(decisions) { print(line) }
            if delete {
                let path = journal ?? "evictor-journal-\(UTCStamp.string(Date())).jsonl"
                // The plan that ran is kept beside the journal, for the record and for `apply` to resume.
                let planPath = (path.hasSuffix(".jsonl") ? String(path.dropLast(6)) : path) + ".plan.json"
                try PlanFile.write(plan, to: planPath)
                let identity = Digest.sha256(ofFileAt: planPath)?.hex ?? ""
                report = try await ApplyCommand.apply(plan, planSHA256: identity, journalPath: path, client: client)
            } else {
                for action in plan.actions.prefix(200) {
                    let names = action.tags.isEmpty ? "(untagged)" : action.tags.joined(separator: ",")
                    print("would delete\t\(action.repository)@\(action.digest)\t\(names)\t\(action.reasons.first ?? "")")
                }
                if plan.actions.count > 200 { print("... and \(plan.actions.count - 200) more (write them all with `evictor plan -o plan.json`)") }
                print("dry run: nothing deleted (add --delete)")
                report = nil
            }
            await client.shutdown()
        } catch {
            await client.shutdown()
            throw error
        }
        if let report, !report.failed.isEmpty { throw ExitCode(1) }
    }
}
