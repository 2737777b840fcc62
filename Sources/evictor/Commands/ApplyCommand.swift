import ArgumentParser
import EvictorCore
import EvictorEngine
import Foundation

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

    @OptionGroup var configFile: RecordedRegistryConfigOption

    func run() async throws {
        let plan = try PlanFile.read(planFile)
        let journalPath = journal ?? PlanApplication.defaultJournalPath(forPlan: planFile)
        let stop = SignalTrap.install()
        let resolved = try configFile.resolve(url: plan.registry)
        let outcome = try await connection.withClient(for: resolved) { client in
            try await PlanApplication.apply(
                plan, planPath: planFile, journalPath: journalPath, client: client, stop: stop, events: CommandLog.events())
        }
        // The same command resumes (the journal's default name derives from the plan's).
        let status = try ApplyRun.report(outcome, registry: plan.registry, output: output, resumeCommand: CommandLine.arguments)
        if status != 0 { throw ExitCode(status) }
    }
}
