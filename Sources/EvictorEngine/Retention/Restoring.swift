import EvictorCore
import Eviction
import Foundation
import RegistryAPI

/// The `restore` use case: puts journaled manifests and their tags back.
public enum Restoring {
    /// What a journal holds to restore, and the registry it names.
    public struct Candidates: Sendable {
        public var registry: String?
        public var records: [JournalRecord]
    }

    /// What the restore did; `notAttempted` records were left for a rerun by a stop.
    public struct Outcome: Sendable {
        public var results: [JournalRestorer.Restoration]
        public var notAttempted: Int
        public var stoppedBy: Int32?
    }

    /// The manifests the journal at `journalPath` says were (or may have been) deleted, in
    /// `repositories` (empty: all), and the registry it was written against.
    public static func candidates(journalPath: String, repositories: [String]) throws -> Candidates {
        let records = try Journal.read(journalPath)
        return Candidates(
            registry: records.first(where: { $0.event == .begin })?.registry,
            records: JournalRestorer.candidates(records, repositories: Set(repositories))
        )
    }

    /// Restores `candidates`, recording each in the journal; stops between manifests once
    /// `stop` is requested.
    public static func restore(_ candidates: Candidates, journalPath: String, client: RegistryClient, stop: StopRequest) async throws -> Outcome {
        let results = await JournalRestorer(client: client, journal: try Journal(path: journalPath)).restore(candidates.records, stop: stop)
        let left = candidates.records.count - results.count
        return Outcome(results: results, notAttempted: left, stoppedBy: left > 0 ? stop.signal : nil)
    }
}
