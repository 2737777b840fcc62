import ArgumentParser
import EvictorCore
import Eviction
import Foundation
import RegistryAPI

/// What `apply` and `evict --delete` share: running a plan with its journal, printing what
/// happened, and the documented exit status of the outcome.
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

    static let exitStatusHelp = "Exit status: 0 all done, 1 some deletes failed, 2 could not run, 3 some skipped because a tag moved, 130/143 stopped by SIGINT/SIGTERM (rerun the same command to resume)."

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

    /// Applies `plan` with the journal at `journalPath`, prints the outcome as `output` says,
    /// and returns the exit status (0 when everything was done).
    static func run(
        _ plan: Plan, planPath: String, journalPath: String, client: RegistryClient, stop: StopRequest, output: OutputFormat, resumeCommand: [String]
    ) async throws -> Int32 {
        let previous = FileManager.default.fileExists(atPath: journalPath) ? try Journal.read(journalPath) : []
        let journal = try Journal(path: journalPath)
        let executor = PlanExecutor(client: client, journal: journal, stop: stop)
        let progress = ProgressDisplay(label: "apply")
        let identity = Digest.sha256(ofFileAt: planPath)?.hex ?? ""
        let report = try await executor.apply(plan, planSHA256: identity, previous: previous) { done, total in progress.update(done: done, total: total) }
        let status: Int32
        if let signal = stop.signal, report.notStarted > 0 {
            status = SignalTrap.exitCode(signal)
        } else if !report.failed.isEmpty {
            status = Status.failed.rawValue
        } else if !report.skipped.isEmpty {
            status = Status.skipped.rawValue
        } else {
            status = Status.done.rawValue
        }
        switch output {
        case .json:
            try JSONOutput.print(Summary(
                registry: plan.registry, plan: planPath, journal: journalPath, deleted: report.deleted, alreadyGone: report.alreadyGone,
                deletedByEarlierRun: report.deletedEarlier, notStarted: report.notStarted,
                skipped: items(report.skipped), failed: items(report.failed),
                interruptedBy: report.notStarted > 0 ? stop.signal.map(SignalTrap.name) : nil, exitStatus: status
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
            print("deleted \(report.deleted) manifest\(report.deleted == 1 ? "" : "s"), \(report.alreadyGone) already gone\(earlier), \(report.skipped.count) skipped, \(report.failed.count) failed\(pending); journal: \(journalPath)")
            if report.deleted > 0 {
                print("run the registry's garbage collection to reclaim the space (then restart it); until then `evictor restore --journal \(journalPath)` can undo this")
            }
        }
        if let signal = stop.signal, report.notStarted > 0 {
            SignalTrap.reportStopped(signal, what: "\(report.notStarted) action\(report.notStarted == 1 ? "" : "s") not started, the journal is complete", resume: resumeCommand)
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
