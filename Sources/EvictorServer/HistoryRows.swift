import Foundation
import GRDB

/// One run in the history, as lists show it.
public struct RunSummary: Sendable, Codable {
    public var id: String
    public var job: String
    public var trigger: String
    public var registry: String?
    public var startedAt: Date
    public var endedAt: Date?
    public var outcome: String
    public var exitCode: Int
    public var delete: Bool
    public var error: String?

    init(row: Row) {
        id = row["id"]
        job = row["job"]
        trigger = row["trigger"]
        registry = row["registry"]
        startedAt = Date(timeIntervalSince1970: row["started_at"])
        endedAt = (row["ended_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        outcome = row["outcome"]
        exitCode = row["exit_code"]
        delete = row["deletes"]
        error = row["error"]
    }
}

/// A registry's figures in one run (nil: the run did not measure it).
public struct RegistryFigures: Sendable, Codable {
    public var runID: String
    public var job: String
    public var startedAt: Date
    public var outcome: String
    public var error: String?
    public var repositories: Int?
    public var tags: Int?
    public var manifests: Int?
    /// Bytes of the distinct blobs the tags refer to (the check's count).
    public var bytes: Int64?
    public var tagsChecked: Int?
    public var healthyTags: Int?
    public var problems: Int?
    public var tagsPlanned: Int?
    public var manifestsPlanned: Int?
    public var reclaimableBytes: Int64?
    public var deleted: Int?
    public var tagsDeleted: Int?
    public var requests: Int?
    public var retries: Int?

    init(row: Row) {
        runID = row["run_id"]
        job = row["job"]
        startedAt = Date(timeIntervalSince1970: row["started_at"])
        outcome = row["outcome"]
        error = row["error"]
        repositories = row["repositories"]
        tags = row["tags"]
        manifests = row["manifests"]
        bytes = row["bytes"]
        tagsChecked = row["tags_checked"]
        healthyTags = row["healthy_tags"]
        problems = row["problems"]
        tagsPlanned = row["tags_planned"]
        manifestsPlanned = row["manifests_planned"]
        reclaimableBytes = row["reclaimable_bytes"]
        deleted = row["deleted"]
        tagsDeleted = row["tags_deleted"]
        requests = row["requests"]
        retries = row["retries"]
    }
}

/// One tag or untagged manifest of a plan, with every reason (`--explain`'s lines).
public struct PlanItemRow: Sendable, Codable {
    public var repository: String
    public var tag: String?
    public var digest: String
    public var verdict: String
    public var reasons: [String]

    init(row: Row) {
        repository = row["repository"]
        tag = row["tag"]
        digest = row["digest"]
        verdict = row["verdict"]
        reasons = (row["reasons"] as String).split(separator: "\n").map(String.init)
    }
}

/// A repository of a plan: its tags, how many go, and the bytes that would be freed.
public struct PlanRepositoryRow: Sendable, Codable {
    public var repository: String
    public var tags: Int
    public var tagsDeleted: Int
    public var reclaimableBytes: Int64

    init(row: Row) {
        repository = row["repository"]
        tags = row["tags"]
        tagsDeleted = row["tags_deleted"]
        reclaimableBytes = row["reclaimable_bytes"]
    }
}

/// A manifest a run deleted, with the journal that restores it.
public struct DeletionRow: Sendable, Codable {
    public var runID: String
    public var repository: String
    public var digest: String
    public var tags: [String]
    public var outcome: String
    public var journal: String
    public var at: Date

    init(row: Row) {
        runID = row["run_id"]
        repository = row["repository"]
        digest = row["digest"]
        tags = (row["tags"] as String).split(separator: ",").map(String.init)
        outcome = row["outcome"]
        journal = row["journal"]
        at = Date(timeIntervalSince1970: row["started_at"])
    }

    /// Whether the run deleted it (a skipped, failed or not started one is still there).
    public var restorable: Bool { outcome == "deleted" || outcome == "deleted earlier" }

    /// The command that puts it back, with every other manifest of its repository this run
    /// deleted (until garbage collection runs); `config` gives restore the registry's
    /// credentials, TLS and limits.
    public func restoreCommand(config: String?) -> String {
        (["evictor", "restore"] + (config.map { ["--config", $0] } ?? []) + ["--journal", journal, "-r", repository]).map(Self.shellWord)
            .joined(separator: " ")
    }

    /// A shell word: quoted when it holds anything but safe characters.
    static func shellWord(_ word: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,")
        if !word.isEmpty, word.unicodeScalars.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
