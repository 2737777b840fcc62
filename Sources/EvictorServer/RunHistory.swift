import EvictorCore
import EvictorEngine
import Eviction
import Foundation
import GRDB

/// The history of `evictor serve`'s jobs, in SQLite (`STATE/history.sqlite`): every run with
/// its record, per registry its figures, the last check's findings, the plan's decisions with
/// their reasons, and the deletions with the journal that restores them. It survives restarts
/// and keeps the newest `keep` runs.
public final class RunHistory: Sendable {
    private let database: DatabaseQueue

    /// Opens (creating or migrating) the history at `path`.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        database = try DatabaseQueue(path: path, configuration: configuration)
        try Self.migrator.migrate(database)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE runs (
                        id TEXT PRIMARY KEY, job TEXT NOT NULL, trigger TEXT NOT NULL, registry TEXT,
                        started_at DOUBLE NOT NULL, ended_at DOUBLE, outcome TEXT NOT NULL, exit_code INTEGER NOT NULL,
                        deletes INTEGER NOT NULL, error TEXT, record TEXT NOT NULL);
                    CREATE INDEX runs_started ON runs(started_at);
                    CREATE TABLE registry_runs (
                        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, registry TEXT NOT NULL, outcome TEXT NOT NULL,
                        error TEXT, repositories INTEGER, tags INTEGER, manifests INTEGER, tags_checked INTEGER, healthy_tags INTEGER,
                        problems INTEGER, tags_planned INTEGER, manifests_planned INTEGER, reclaimable_bytes INTEGER,
                        deleted INTEGER, tags_deleted INTEGER, requests INTEGER, retries INTEGER, report TEXT, plan_path TEXT,
                        PRIMARY KEY (run_id, registry));
                    CREATE TABLE plan_items (
                        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, registry TEXT NOT NULL, repository TEXT NOT NULL,
                        tag TEXT, digest TEXT NOT NULL, verdict TEXT NOT NULL, reasons TEXT NOT NULL);
                    CREATE INDEX plan_items_run ON plan_items(run_id, registry, repository);
                    CREATE TABLE plan_repositories (
                        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, registry TEXT NOT NULL, repository TEXT NOT NULL,
                        tags INTEGER NOT NULL, tags_deleted INTEGER NOT NULL, reclaimable_bytes INTEGER NOT NULL);
                    CREATE INDEX plan_repositories_run ON plan_repositories(run_id, registry);
                    CREATE TABLE deletions (
                        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, registry TEXT NOT NULL, repository TEXT NOT NULL,
                        digest TEXT NOT NULL, tags TEXT NOT NULL, outcome TEXT NOT NULL, journal TEXT NOT NULL);
                    CREATE INDEX deletions_run ON deletions(run_id, registry);
                    """)
        }
        migrator.registerMigration("v2: registry size") { db in
            try db.execute(sql: "ALTER TABLE registry_runs ADD COLUMN bytes INTEGER")
        }
        return migrator
    }

    /// Stores a finished run with what its milestones said; then keeps the newest `keep` runs.
    public func record(_ record: RunRecord, trigger: String, registry: String?, details: RunDetails, keep: Int) throws {
        let encoded = String(decoding: try VersionedDocument.encoder(pretty: false).encode(record), as: UTF8.self)
        try database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO runs (id, job, trigger, registry, started_at, ended_at, outcome, exit_code, deletes, error, record)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    record.id, record.job, trigger, registry, record.startedAt.timeIntervalSince1970, record.endedAt?.timeIntervalSince1970,
                    record.outcome.rawValue, Int(record.exitCode), record.delete, record.error, encoded,
                ])
            for part in record.registries {
                let report = try details.reports[part.name].map { String(decoding: try HealthReportWriter.json($0), as: UTF8.self) }
                try db.execute(
                    sql: """
                        INSERT INTO registry_runs (run_id, registry, outcome, error, repositories, tags, manifests, tags_checked, healthy_tags,
                            problems, tags_planned, manifests_planned, reclaimable_bytes, deleted, tags_deleted, requests, retries, report,
                            plan_path, bytes)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        record.id, part.name, part.outcome.rawValue, part.error, part.check?.repositories, part.check?.tags, part.check?.manifests,
                        part.check?.tagsChecked, part.check?.healthyTags, part.check.map { $0.problems.values.reduce(0, +) },
                        part.plan?.tagsPlanned, part.plan?.manifestsPlanned, part.plan?.reclaimableBytes, part.apply?.deleted,
                        part.apply?.tagsDeleted, part.requests, part.retries, report, part.plan?.plan, part.check?.bytes,
                    ])
                for decision in details.decisions[part.name] ?? [] {
                    var tags = 0
                    var deleted = 0
                    for item in decision.items {
                        if item.tag != nil {
                            tags += 1
                            if item.verdict == .delete { deleted += 1 }
                        }
                        try db.execute(
                            sql: "INSERT INTO plan_items (run_id, registry, repository, tag, digest, verdict, reasons) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            arguments: [
                                record.id, part.name, decision.repository, item.tag, item.digest.description, item.verdict.rawValue,
                                item.steps.map(\.description).joined(separator: "\n"),
                            ])
                    }
                    try db.execute(
                        sql: """
                            INSERT INTO plan_repositories (run_id, registry, repository, tags, tags_deleted, reclaimable_bytes)
                            VALUES (?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            record.id, part.name, decision.repository, tags, deleted, details.reclaimable[part.name]?[decision.repository] ?? 0,
                        ])
                }
                if let (journal, entries) = details.deletions[part.name] {
                    for entry in entries {
                        try db.execute(
                            sql: "INSERT INTO deletions (run_id, registry, repository, digest, tags, outcome, journal) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            arguments: [
                                record.id, part.name, entry.repository, entry.digest, entry.tags.joined(separator: ","),
                                Self.text(entry.outcome),
                                journal,
                            ])
                    }
                }
            }
            try db.execute(
                sql: "DELETE FROM runs WHERE id NOT IN (SELECT id FROM runs ORDER BY started_at DESC, id DESC LIMIT ?)", arguments: [keep])
        }
    }

    /// How a deletion ended, in words: `deleted`, `deleted earlier`, `already gone`, `not
    /// started`, `skipped: WHY`, `failed: WHY`.
    static func text(_ outcome: ApplyReport.Outcome) -> String {
        switch outcome {
        case .deleted: "deleted"
        case .deletedEarlier: "deleted earlier"
        case .alreadyGone: "already gone"
        case .notStarted: "not started"
        case .skipped(let why): "skipped: \(why)"
        case .failed(let why): "failed: \(why)"
        }
    }

    /// The newest runs first, at most `limit`.
    public func runs(limit: Int) throws -> [RunSummary] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT id, job, trigger, registry, started_at, ended_at, outcome, exit_code, deletes, error "
                    + "FROM runs ORDER BY started_at DESC, id DESC LIMIT ?",
                arguments: [limit]
            ).map(RunSummary.init(row:))
        }
    }

    /// A registry's figures per run that checked or planned it, oldest first (for charts).
    public func figures(registry: String, limit: Int) throws -> [RegistryFigures] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM (SELECT r.started_at, r.job, rr.* FROM registry_runs rr JOIN runs r ON r.id = rr.run_id
                    WHERE rr.registry = ? ORDER BY r.started_at DESC, r.id DESC LIMIT ?) ORDER BY started_at, run_id
                    """,
                arguments: [registry, limit]
            ).map(RegistryFigures.init(row:))
        }
    }

    /// The latest check report of `registry` (nil: none yet), with the run it came from.
    public func latestReport(registry: String) throws -> (runID: String, json: String)? {
        try database.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT rr.run_id, rr.report FROM registry_runs rr JOIN runs r ON r.id = rr.run_id
                    WHERE rr.registry = ? AND rr.report IS NOT NULL ORDER BY r.started_at DESC, r.id DESC LIMIT 1
                    """,
                arguments: [registry]
            ).map { (runID: $0["run_id"], json: $0["report"]) }
        }
    }

    /// The run of the latest plan of `registry` (nil: none yet).
    public func latestPlanRun(registry: String) throws -> String? {
        try database.read { db in
            try String.fetchOne(
                db,
                sql: """
                    SELECT rr.run_id FROM registry_runs rr JOIN runs r ON r.id = rr.run_id
                    WHERE rr.registry = ? AND rr.tags_planned IS NOT NULL ORDER BY r.started_at DESC, r.id DESC LIMIT 1
                    """,
                arguments: [registry])
        }
    }

    /// The decisions of a run's plan for `registry`, repository by repository (optionally only
    /// repositories whose name contains `search`).
    public func planItems(runID: String, registry: String, search: String? = nil) throws -> [PlanItemRow] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT repository, tag, digest, verdict, reasons FROM plan_items
                    WHERE run_id = ? AND registry = ? AND (? IS NULL OR instr(repository, ?) > 0) ORDER BY repository, rowid
                    """,
                arguments: [runID, registry, search, search]
            ).map(PlanItemRow.init(row:))
        }
    }

    /// The repositories of a run's plan for `registry`, the most reclaimable first.
    public func planRepositories(runID: String, registry: String) throws -> [PlanRepositoryRow] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT repository, tags, tags_deleted, reclaimable_bytes FROM plan_repositories
                    WHERE run_id = ? AND registry = ? ORDER BY reclaimable_bytes DESC, repository
                    """,
                arguments: [runID, registry]
            ).map(PlanRepositoryRow.init(row:))
        }
    }

    /// The deletions of the newest runs of `registry`, newest first.
    public func deletions(registry: String, limit: Int) throws -> [DeletionRow] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT d.run_id, d.repository, d.digest, d.tags, d.outcome, d.journal, r.started_at FROM deletions d
                    JOIN runs r ON r.id = d.run_id WHERE d.registry = ? ORDER BY r.started_at DESC, d.rowid LIMIT ?
                    """,
                arguments: [registry, limit]
            ).map(DeletionRow.init(row:))
        }
    }

    /// Per run of `runIDs`, its registries' errors as `NAME: ERROR` (runs without one left out).
    public func registryErrors(runIDs: [String]) throws -> [String: [String]] {
        guard !runIDs.isEmpty else { return [:] }
        return try database.read { db in
            var errors: [String: [String]] = [:]
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT run_id, registry, error FROM registry_runs WHERE error IS NOT NULL
                    AND run_id IN (\(Array(repeating: "?", count: runIDs.count).joined(separator: ", "))) ORDER BY run_id, registry
                    """,
                arguments: StatementArguments(runIDs))
            for row in rows {
                let (run, registry, error): (String, String, String) = (row["run_id"], row["registry"], row["error"])
                errors[run, default: []].append("\(registry): \(error)")
            }
            return errors
        }
    }

    /// A run's record (JSON) as it was written.
    public func record(id: String) throws -> String? {
        try database.read { db in try String.fetchOne(db, sql: "SELECT record FROM runs WHERE id = ?", arguments: [id]) }
    }
}
