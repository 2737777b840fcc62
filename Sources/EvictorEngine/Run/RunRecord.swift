import EvictorCore
import Foundation

/// What one `evictor run` did, written to the state directory's `runs/` as JSON
/// (`evictor-run`, version 1) and printed by `--output json`.
public struct RunRecord: Sendable, Codable {
    public static let formatName = "evictor-run"
    public static let formatVersion = 1

    /// How a run (or one registry's part of it) ended. Ordered: a later case outranks an
    /// earlier one when the parts of a run are summed up.
    public enum Outcome: String, Sendable, Codable, Comparable {
        /// Everything ran; the check found nothing, every action was done.
        case clean
        /// The check found problems; everything else ran.
        case problemsFound = "problems_found"
        /// Some deletes were skipped on purpose (a tag moved since planning).
        case someSkipped = "some_skipped"
        /// Some deletes failed (the next run tries again).
        case someFailed = "some_failed"
        /// Stopped by a signal before every delete started.
        case stopped
        /// The run could not do its job (inventory, registry, policy, refusal): nothing was deleted.
        case couldNotRun = "could_not_run"

        private var rank: Int {
            switch self {
            case .clean: 0
            case .problemsFound: 1
            case .someSkipped: 2
            case .someFailed: 3
            case .couldNotRun: 4
            case .stopped: 5
            }
        }

        public static func < (lhs: Outcome, rhs: Outcome) -> Bool { lhs.rank < rhs.rank }
    }

    /// The inventory a run used.
    public struct InventoryStep: Sendable, Codable {
        public var file: String
        /// Collected by this run (false: an earlier one, young enough, was used).
        public var collected: Bool
        public var generatedAt: Date?
        public var images: Int
        /// Images per source (collected runs only).
        public var sources: [String: Int]
        public var error: String?
    }

    /// The health check of one registry, with the registry's figures as `evictor count` gives them.
    public struct CheckStep: Sendable, Codable {
        public var repositories: Int
        public var tags: Int
        /// Distinct manifests that tags point to.
        public var manifests: Int
        /// Bytes of the distinct blobs the tags' images refer to: the registry's size for them.
        public var bytes: Int64?
        public var tagsChecked: Int
        public var healthyTags: Int
        /// Findings by problem class.
        public var problems: [String: Int]
        public var report: String
    }

    /// A scan of one registry's storage (the `storage-scan` job).
    public struct StorageStep: Sendable, Codable {
        public var repositories: Int
        public var tags: Int
        public var manifests: Int
        public var blobs: Int
        /// Findings by problem class.
        public var problems: [String: Int]
        public var report: String
    }

    /// The plan of one registry.
    public struct PlanStep: Sendable, Codable {
        public var policy: String
        public var tagsTotal: Int
        public var tagsPlanned: Int
        public var manifestsPlanned: Int
        public var reclaimableBytes: Int64
        /// The plan file (also for a refused plan, for review).
        public var plan: String
        public var refused: Bool
    }

    /// The deletes of one registry (`--delete` only).
    public struct ApplyStep: Sendable, Codable {
        public var deleted: Int
        public var alreadyGone: Int
        public var skipped: Int
        public var failed: Int
        public var notStarted: Int
        /// Tags gone with the manifests deleted now or by an earlier run.
        public var tagsDeleted: Int
        public var journal: String
    }

    /// One registry's part of the run.
    public struct RegistryPart: Sendable, Codable {
        public var name: String
        public var url: String
        public var outcome: Outcome
        /// Why the registry's part could not run or stopped (one line).
        public var error: String?
        public var check: CheckStep?
        public var storage: StorageStep?
        public var plan: PlanStep?
        public var apply: ApplyStep?
        /// HTTP requests to the registry, and how many of them were retries.
        public var requests: Int?
        public var retries: Int?
    }

    public var format = RunRecord.formatName
    public var version = RunRecord.formatVersion
    /// The run's id: its UTC start stamp (the prefix of every file it wrote).
    public var id: String
    /// `run`, or the scheduled job this was (`inventory`, `check`, `plan`).
    public var job: String
    public var config: String
    public var delete: Bool
    public var startedAt: Date
    public var endedAt: Date?
    public var inventory: InventoryStep?
    public var registries: [RegistryPart]
    public var outcome: Outcome
    /// Why the whole run could not run (inventory, state directory), one line.
    public var error: String?
    public var exitCode: Int32
    public var record: String
    /// Files removed from the state directory by `state.keep`.
    public var pruned: Int
}

extension RunRecord.Outcome {
    /// `evictor run`'s exit status for this outcome (`signal`: the one that stopped it).
    public func exitCode(signal: Int32?) -> Int32 {
        switch self {
        case .clean: 0
        case .someFailed: 1
        case .couldNotRun: 2
        case .someSkipped: 3
        case .problemsFound: 4
        case .stopped: 128 + (signal ?? SIGTERM)
        }
    }
}
