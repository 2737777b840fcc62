import ArgumentParser
import EvictorCore
import Eviction
import Foundation
import RegistryAPI

/// `evictor apply`: runs a plan, journal first; run it again to resume.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Delete what a plan lists, journaling every manifest first (resumable, restorable).",
        discussion: """
            Writes to the registry (the plan is the review step). Before each delete the tags are \
            re-read: an action whose tag moved, or whose digest gained a tag the plan did not name, \
            is skipped. Every manifest is written to the journal (fsync) before its DELETE; \
            `evictor restore --journal FILE` puts them back until garbage collection runs. Running \
            it again with the same journal resumes, checking against the registry what an earlier \
            run deleted. SIGINT/SIGTERM: deletes in flight finish and are journaled, nothing new \
            starts. \(ApplyRun.exitStatusHelp)
            """
    )

    @Argument(help: "The plan file from `evictor plan -o`.")
    var planFile: String

    @Option(name: .long, help: "The journal (JSON lines, mode 0600; default: PLAN.journal.jsonl beside the plan).")
    var journal: String?

    @Option(name: .long, help: "text, or json (a summary of the outcome on stdout).")
    var output: OutputFormat = .text

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let plan = try PlanFile.read(planFile)
        let journalPath = journal ?? (planFile.hasSuffix(".json") ? String(planFile.dropLast(5)) : planFile) + ".journal.jsonl"
        let stop = SignalTrap.install()
        let client = try connection.makeClient(for: plan.registry)
        // The same command resumes (the journal's default name derives from the plan's).
        let resume = CommandLine.arguments
        let status: Int32
        do {
            status = try await ApplyRun.run(plan, planPath: planFile, journalPath: journalPath, client: client, stop: stop, output: output, resumeCommand: resume)
            await client.shutdown()
        } catch {
            await client.shutdown()
            throw error
        }
        if status != 0 { throw ExitCode(status) }
    }
}
