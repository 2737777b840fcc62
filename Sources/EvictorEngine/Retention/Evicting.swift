import EvictorCore
import Eviction
import Foundation
import RegistryAPI

/// The `evict --delete` use case: a plan (as `Planning` makes it) kept beside a journal, then
/// applied exactly as `apply` would, so an interrupted run resumes with `apply`.
public enum Evicting {
    /// Where the journal and the plan kept beside it go.
    public struct Files: Sendable, Equatable {
        public var journalPath: String
        public var planPath: String
    }

    /// `JOURNAL.plan.json` for `JOURNAL.jsonl`.
    public static func planPath(forJournal journal: String) -> String {
        (journal.hasSuffix(".jsonl") ? String(journal.dropLast(6)) : journal) + ".plan.json"
    }

    /// The journal to use: `journal` when it records no run yet (one that does belongs to that
    /// run's plan, which a new plan must not overwrite), else a new
    /// `evictor-journal-<UTC time>[-NNN].jsonl` in the current directory.
    public static func files(journal: String?, now: Date = Date()) throws -> Files {
        if let journal {
            if FileManager.default.fileExists(atPath: journal), !(try Journal.read(journal)).isEmpty {
                let earlier = planPath(forJournal: journal)
                throw EngineError.invalidSettings(
                    "\(journal) already records a run; resume it with `evictor apply \(earlier) --journal \(journal)`, or give a new --journal")
            }
            return Files(journalPath: journal, planPath: planPath(forJournal: journal))
        }
        let path = try UniquePath.makeFile(stem: "evictor-journal-\(UTCStamp.string(now))", suffix: ".jsonl")
        return Files(journalPath: path, planPath: planPath(forJournal: path))
    }

    /// Writes `plan` to `files.planPath` and applies it with `files.journalPath`.
    public static func delete(
        _ plan: Plan, files: Files, client: RegistryClient, stop: StopRequest, events: @escaping EngineEvents
    ) async throws -> PlanApplication.Outcome {
        try PlanFile.write(plan, to: files.planPath)
        return try await PlanApplication.apply(
            plan, planPath: files.planPath, journalPath: files.journalPath, client: client, stop: stop, events: events)
    }
}
