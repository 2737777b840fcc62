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
            Before each delete the tags are re-read: an action whose tag moved, or whose digest \
            gained a tag the plan did not name, is skipped. Every manifest is written to the \
            journal (fsync) before its DELETE; `evictor restore --journal FILE` puts them back \
            until garbage collection runs. Exit 1 when a delete failed.
            """
    )

    @Argument(help: "The plan file from `evictor plan -o`.")
    var planFile: String

    @Option(name: .long, help: "The journal (JSON lines, mode 0600; default: PLAN.journal.jsonl beside the plan).")
    var journal: String?

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let plan = try PlanFile.read(planFile)
        let journalPath = journal ?? (planFile.hasSuffix(".json") ? String(planFile.dropLast(5)) : planFile) + ".journal.jsonl"
        let client = try connection.makeClient(for: plan.registry)
        let report: ApplyReport
        do {
            report = try await Self.apply(plan, planSHA256: Digest.sha256(ofFileAt: planFile)?.hex ?? "", journalPath: journalPath, client: client)
            await client.shutdown()
        } catch {
            await client.shutdown()
            throw error
        }
        if !report.failed.isEmpty { throw ExitCode(1) }
    }

    /// Applies `plan` with the journal at `journalPath` and prints what happened.
    static func apply(_ plan: Plan, planSHA256: String, journalPath: String, client: RegistryClient) async throws -> ApplyReport {
        let previous = FileManager.default.fileExists(atPath: journalPath) ? try Journal.read(journalPath) : []
        let journal = try Journal(path: journalPath)
        let executor = PlanExecutor(client: client, journal: journal)
        let progress = ProgressDisplay(label: "apply")
        let report = try await executor.apply(plan, planSHA256: planSHA256, previous: previous) { done, total in progress.update(done: done, total: total) }
        for entry in report.skipped {
            if case .skipped(let reason) = entry.outcome { print("skipped\t\(entry.repository)@\(entry.digest)\t\(reason)") }
        }
        for entry in report.failed {
            if case .failed(let reason) = entry.outcome { print("failed\t\(entry.repository)@\(entry.digest)\t\(reason)") }
        }
        print("deleted \(report.deleted) manifest\(report.deleted == 1 ? "" : "s"), \(report.alreadyGone) already gone, \(report.skipped.count) skipped, \(report.failed.count) failed; journal: \(journalPath)")
        if report.deleted > 0 {
            print("run the registry's garbage collection to reclaim the space (then restart it); until then `evictor restore --journal \(journalPath)` can undo this")
        }
        return report
    }
}
