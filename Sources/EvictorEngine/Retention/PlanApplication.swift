import EvictorCore
import Eviction
import Foundation
import RegistryAPI

/// The `apply` use case: runs a plan with its journal (resuming what the journal holds) and
/// says how it ended.
public enum PlanApplication {
    /// How an apply ended, one case per documented exit status of `apply` and `evict`.
    public enum Status: Sendable, Equatable {
        /// Every action done (deleted now, or gone already).
        case done
        /// Some deletes failed (a later run with the same journal retries them).
        case failed
        /// Some actions skipped on purpose (a tag moved since planning), none failed.
        case skipped
        /// A stop was requested (by `signal`) before every action started.
        case stopped(signal: Int32)
    }

    /// What the run did.
    public struct Outcome: Sendable {
        public var report: ApplyReport
        public var status: Status
        public var planPath: String
        public var journalPath: String
    }

    /// `PLAN.journal.jsonl` beside `PLAN.json`: where `apply` journals by default, so that
    /// running the same command again resumes.
    public static func defaultJournalPath(forPlan planPath: String) -> String {
        (planPath.hasSuffix(".json") ? String(planPath.dropLast(5)) : planPath) + ".journal.jsonl"
    }

    /// Applies `plan` (read from `planPath`, whose sha256 ties the journal to it) with the
    /// journal at `journalPath`.
    public static func apply(
        _ plan: Plan, planPath: String, journalPath: String, client: RegistryClient, stop: StopRequest, events: @escaping EngineEvents
    ) async throws -> Outcome {
        let previous = FileManager.default.fileExists(atPath: journalPath) ? try Journal.read(journalPath) : []
        let journal = try Journal(path: journalPath)
        let executor = PlanExecutor(client: client, journal: journal, stop: stop)
        let identity = Digest.sha256(ofFileAt: planPath)?.hex ?? ""
        let report = try await executor.apply(plan, planSHA256: identity, previous: previous, progress: progressReporter(events, phase: "apply"))
        let status: Status
        if let signal = stop.signal, report.notStarted > 0 {
            status = .stopped(signal: signal)
        } else if !report.failed.isEmpty {
            status = .failed
        } else if !report.skipped.isEmpty {
            status = .skipped
        } else {
            status = .done
        }
        return Outcome(report: report, status: status, planPath: planPath, journalPath: journalPath)
    }
}
