import EvictorCore
import Foundation
import GRDB
import Synchronization

/// Pull history per registry, repository and manifest digest, in SQLite (`STATE/usage.sqlite`):
/// first push seen, last pull, pull count and pulls per day (for `windowDays`), tags seen, and
/// deletes. Events count once however often they arrive (by request id, else event id). `serve`
/// writes it; plans read it read-only.
public final class UsageStore: Sendable {
    private let database: DatabaseQueue
    private let lastPrune = Mutex<Date>(.distantPast)

    /// Old day counts and event ids are pruned at most once an hour (not with every batch).
    private func pruneDue() -> Bool {
        lastPrune.withLock { last in
            guard Date().timeIntervalSince(last) > 3_600 else { return false }
            last = Date()
            return true
        }
    }

    /// Its file name in the state directory.
    public static let fileName = "usage.sqlite"
    /// Days of per-day counts (and of event ids for replays) kept.
    public let windowDays: Int

    /// What one batch did.
    public struct Recorded: Sendable, Equatable {
        public var recorded = 0
        public var duplicates = 0
    }

    /// Opens (creating) the store for writing.
    public init(path: String, windowDays: Int = 90) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // WAL without an fsync per commit: a batch costs microseconds, so one registry sending
        // event after event is never held up; a committed batch survives a crash of evictor.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        database = try DatabaseQueue(path: path, configuration: configuration)
        self.windowDays = windowDays
        try Self.migrator.migrate(database)
    }

    /// Opens an existing store read-only (for plans); throws when there is none.
    public init(readingAt path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw EngineError.missingInput("no usage store at \(path) (evictor serve writes STATE/usage.sqlite)")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        database = try DatabaseQueue(path: path, configuration: configuration)
        windowDays = 0
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("usage-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE seen (key TEXT PRIMARY KEY, at DOUBLE NOT NULL);
                    CREATE INDEX seen_at ON seen(at);
                    CREATE TABLE registries (registry TEXT PRIMARY KEY, since DOUBLE NOT NULL);
                    CREATE TABLE manifests (
                        registry TEXT NOT NULL, repository TEXT NOT NULL, digest TEXT NOT NULL, pushed DOUBLE, last_pulled DOUBLE,
                        pull_count INTEGER NOT NULL DEFAULT 0, deleted DOUBLE, PRIMARY KEY (registry, repository, digest));
                    CREATE TABLE tags (
                        registry TEXT NOT NULL, repository TEXT NOT NULL, digest TEXT NOT NULL, tag TEXT NOT NULL, last_seen DOUBLE NOT NULL,
                        PRIMARY KEY (registry, repository, digest, tag));
                    CREATE TABLE daily (
                        registry TEXT NOT NULL, repository TEXT NOT NULL, digest TEXT NOT NULL, day TEXT NOT NULL, pulls INTEGER NOT NULL,
                        PRIMARY KEY (registry, repository, digest, day));
                    """)
        }
        return migrator
    }

    /// Records a batch in one transaction; an event already seen is counted as a duplicate.
    @discardableResult
    public func record(_ events: [UsageEvent], registry: String) throws -> Recorded {
        var result = Recorded()
        try database.write { db in
            // Statements compiled once per connection, not once per event.
            func run(_ sql: String, _ arguments: StatementArguments) throws { try db.cachedStatement(sql: sql).execute(arguments: arguments) }
            for event in events {
                try run("INSERT OR IGNORE INTO seen (key, at) VALUES (?, ?)", [event.key, event.time.timeIntervalSince1970])
                guard db.changesCount > 0 else {
                    result.duplicates += 1
                    continue
                }
                result.recorded += 1
                let time = event.time.timeIntervalSince1970
                let digest = event.digest.description
                try run(
                    "INSERT INTO registries (registry, since) VALUES (?, ?) "
                        + "ON CONFLICT(registry) DO UPDATE SET since = min(since, excluded.since)",
                    [registry, time])
                try run(
                    "INSERT OR IGNORE INTO manifests (registry, repository, digest) VALUES (?, ?, ?)",
                    [registry, event.repository, digest])
                let key: StatementArguments = [registry, event.repository, digest]
                switch event.action {
                case .push:
                    try run(
                        """
                        UPDATE manifests SET pushed = min(coalesce(pushed, ?1), ?1), deleted = NULL
                        WHERE registry = ?2 AND repository = ?3 AND digest = ?4
                        """,
                        [time] + key)
                case .pull:
                    try run(
                        """
                        UPDATE manifests SET last_pulled = max(coalesce(last_pulled, ?1), ?1), pull_count = pull_count + 1
                        WHERE registry = ?2 AND repository = ?3 AND digest = ?4
                        """,
                        [time] + key)
                    try run(
                        """
                        INSERT INTO daily (registry, repository, digest, day, pulls) VALUES (?, ?, ?, ?, 1)
                        ON CONFLICT DO UPDATE SET pulls = pulls + 1
                        """,
                        key + [Self.day(event.time)])
                case .delete:
                    try run(
                        "UPDATE manifests SET deleted = max(coalesce(deleted, ?1), ?1) WHERE registry = ?2 AND repository = ?3 AND digest = ?4",
                        [time] + key)
                }
                if let tag = event.tag, event.action != .delete {
                    try run(
                        """
                        INSERT INTO tags (registry, repository, digest, tag, last_seen) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)
                        """,
                        key + [tag, time])
                }
            }
            if windowDays > 0, pruneDue() {
                let cutoff = Date().addingTimeInterval(-Double(windowDays) * 86_400)
                try db.execute(sql: "DELETE FROM daily WHERE day < ?", arguments: [Self.day(cutoff)])
                try db.execute(sql: "DELETE FROM seen WHERE at < ?", arguments: [cutoff.timeIntervalSince1970])
            }
        }
        return result
    }

    /// The registries the store has data for.
    public func registries() throws -> [String] {
        try database.read { db in try String.fetchAll(db, sql: "SELECT registry FROM registries ORDER BY registry") }
    }

    /// From when the store has data for `registry` (nil: none).
    public func since(registry: String) throws -> Date? {
        try database.read { db in
            try Double.fetchOne(db, sql: "SELECT since FROM registries WHERE registry = ?", arguments: [registry]).map(
                Date.init(timeIntervalSince1970:))
        }
    }

    /// What the store knows of each manifest of `repository` that is not deleted.
    public func facts(registry: String, repository: String) throws -> [Digest: UsageFacts] {
        try database.read { db in
            var facts: [Digest: UsageFacts] = [:]
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT digest, pushed, last_pulled, pull_count FROM manifests WHERE registry = ? AND repository = ? AND deleted IS NULL",
                arguments: [registry, repository])
            for row in rows {
                guard let digest = try? Digest(parsing: row["digest"] as String) else { continue }
                facts[digest] = UsageFacts(
                    pushed: (row["pushed"] as Double?).map(Date.init(timeIntervalSince1970:)),
                    lastPulled: (row["last_pulled"] as Double?).map(Date.init(timeIntervalSince1970:)), pullCount: row["pull_count"])
            }
            return facts
        }
    }

    /// Every manifest of `registry` with its facts and the tags seen on it (for the report,
    /// the API and comparisons), ordered by repository and digest.
    public func manifests(registry: String) throws -> [UsageRow] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT m.repository, m.digest, m.pushed, m.last_pulled, m.pull_count, m.deleted,
                        (SELECT group_concat(tag, ',') FROM (SELECT tag FROM tags t WHERE t.registry = m.registry
                            AND t.repository = m.repository AND t.digest = m.digest ORDER BY tag)) AS tags
                    FROM manifests m WHERE m.registry = ? ORDER BY m.repository, m.digest
                    """,
                arguments: [registry]
            ).map(UsageRow.init(row:))
        }
    }

    /// Pulls per day of `registry`'s manifests, within the window.
    public func dailyPulls(registry: String) throws -> [String: Int] {
        try database.read { db in
            var days: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT day, sum(pulls) AS pulls FROM daily WHERE registry = ? GROUP BY day", arguments: [registry])
            {
                days[row["day"]] = row["pulls"]
            }
            return days
        }
    }

    /// `yyyyMMdd` in UTC, by arithmetic (a formatter per event would cost more than the write).
    static func day(_ date: Date) -> String {
        // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
        let days = Int((date.timeIntervalSince1970 / 86_400).rounded(.down)) + 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPart = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPart + 2) / 5 + 1
        let month = monthPart < 10 ? monthPart + 3 : monthPart - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return String(format: "%04d%02d%02d", year, month, day)
    }
}

/// One manifest in the usage store.
public struct UsageRow: Sendable, Codable, Equatable {
    public var repository: String
    public var digest: String
    public var pushed: Date?
    public var lastPulled: Date?
    public var pullCount: Int
    public var deleted: Date?
    public var tags: [String]

    init(row: Row) {
        repository = row["repository"]
        digest = row["digest"]
        pushed = (row["pushed"] as Double?).map(Date.init(timeIntervalSince1970:))
        lastPulled = (row["last_pulled"] as Double?).map(Date.init(timeIntervalSince1970:))
        pullCount = row["pull_count"]
        deleted = (row["deleted"] as Double?).map(Date.init(timeIntervalSince1970:))
        tags = ((row["tags"] as String?) ?? "").split(separator: ",").map(String.init)
    }
}
