import ArgumentParser
import EvictorCore
import Eviction
import EvictorEngine
import Foundation
import RegistryAPI

/// What `apply` and `evict --delete` share: printing what an apply did, and the documented
/// exit status of its outcome.
enum ApplyRun {
    /// Exit statuses of apply and evict, one per outcome (documented in their help and README).
    enum Status: Int32 {
        /// Every action done (deleted now, or gone already).
        case done = 0
        /// Some deletes failed (a later run with the same journal retries them).
        case failed = 1
        /// Nothing done: bad input, an unreachable registry, a refused plan.
        case couldNotRun = 2
        /// Some actions skipped on purpose (a tag moved since planning), none failed.
        case skipped = 3
    }

    static let exitStatusHelp =
        "Exit status: 0 all done, 1 some deletes failed, 2 could not run, 3 some skipped because a tag moved, "
        + "130/143 stopped by SIGINT/SIGTERM (rerun the same command to resume)."

    /// The `--output json` summary.
    struct Summary: Encodable {
        struct Item: Encodable {
            var repository: String
            var digest: String
            var tags: [String]
            var reason: String
        }

        var registry: String
        var plan: String
        var journal: String
        var deleted: Int
        var alreadyGone: Int
        var deletedByEarlierRun: Int
        var notStarted: Int
        var skipped: [Item]
        var failed: [Item]
        var interruptedBy: String?
        var exitStatus: Int32
    }

    /// The exit status of `outcome`.
    static func exitStatus(_ outcome: PlanApplication.Outcome) -> Int32 {
        switch outcome.status {
        case .done: return Status.done.rawValue
        case .failed: return Status.failed.rawValue
        case .skipped: return Status.skipped.rawValue
        case .stopped(let signal): return SignalTrap.exitCode(signal)
        }
    }

    /// Prints what an apply did as `output` says (and, when a signal stopped it, the line with
    /// the command that resumes); returns the exit status.
    static func report(_ outcome: PlanApplication.Outcome, registry: String, output: OutputFormat, resumeCommand: [String]) throws -> Int32 {
        let report = outcome.report
        let journalPath = outcome.journalPath
        let status = exitStatus(outcome)
        var stoppedBy: Int32?
        if case .stopped(let signal) = outcome.status { stoppedBy = signal }
        switch output {
        case .json:
            try JSONOutput.print(
                Summary(
                    registry: registry, plan: outcome.planPath, journal: journalPath, deleted: report.deleted, alreadyGone: report.alreadyGone,
                    deletedByEarlierRun: report.deletedEarlier, notStarted: report.notStarted,
                    skipped: items(report.skipped), failed: items(report.failed),
                    interruptedBy: stoppedBy.map(SignalTrap.name), exitStatus: status
                ))
        case .text:
            for entry in report.skipped {
                if case .skipped(let reason) = entry.outcome { print("skipped\t\(entry.repository)@\(entry.digest)\t\(reason)") }
            }
            for entry in report.failed {
                if case .failed(let reason) = entry.outcome { print("failed\t\(entry.repository)@\(entry.digest)\t\(reason)") }
            }
            let earlier = report.deletedEarlier > 0 ? " (\(report.deletedEarlier) deleted by an earlier run)" : ""
            let pending = report.notStarted > 0 ? ", \(report.notStarted) not started" : ""
            print(
                "deleted \(report.deleted) manifest\(report.deleted == 1 ? "" : "s"), \(report.alreadyGone) already gone\(earlier), "
                    + "\(report.skipped.count) skipped, \(report.failed.count) failed\(pending); journal: \(journalPath)"
            )
            if report.deleted > 0 {
                print(
                    "run the registry's garbage collection to reclaim the space (then restart it); "
                        + "until then `evictor restore --journal \(journalPath)` can undo this"
                )
            }
        }
        if let stoppedBy {
            SignalTrap.reportStopped(
                stoppedBy, what: "\(report.notStarted) action\(report.notStarted == 1 ? "" : "s") not started, the journal is complete",
                resume: resumeCommand)
        }
        return status
    }

    static func items(_ entries: [ApplyReport.Entry]) -> [Summary.Item] {
        entries.map { entry in
            let reason: String
            switch entry.outcome {
            case .skipped(let text), .failed(let text): reason = text
            default: reason = ""
            }
            return Summary.Item(repository: entry.repository, digest: entry.digest, tags: entry.tags, reason: reason)
        }
    }

    /// A shell word: quoted when it holds anything but safe characters.
    static func shellQuoted(_ word: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,")
        if !word.isEmpty, word.unicodeScalars.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
