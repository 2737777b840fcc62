import EvictorCore
import Foundation
import RegistryAPI

/// The `check` use case: which tags to check (the inventory's, every tag, or every tag of some
/// repositories), the end-to-end check of each, and the report written to disk.
public enum HealthCheck {
    /// What to check and where the report goes.
    public struct Settings: Sendable {
        /// The inventory naming what to check and what is in use (nil: none).
        public var inventoryPath: String?
        /// Check every tag in the registry.
        public var all = false
        /// Check every tag of these repositories.
        public var repositories: [String] = []
        /// Other names inventory entries use for this registry.
        public var aliases: [String] = []
        /// Where report.json and report.csv go (nil: a new `reports/<UTC time>`).
        public var reportDirectory: String?

        public init(
            inventoryPath: String? = nil, all: Bool = false, repositories: [String] = [], aliases: [String] = [], reportDirectory: String? = nil
        ) {
            self.inventoryPath = inventoryPath
            self.all = all
            self.repositories = repositories
            self.aliases = aliases
            self.reportDirectory = reportDirectory
        }

        /// Whether the registry's tags are listed (rather than the inventory's references).
        var walksRegistry: Bool { all || !repositories.isEmpty }
    }

    /// The report, and where it was written.
    public struct Outcome: Sendable {
        public var report: HealthReport
        public var reportDirectory: String
    }

    /// Checks, writes the report, and returns it. Throws when the check could not run (bad
    /// inventory, unknown repository, unreachable registry): problems found are in the report.
    public static func run(_ settings: Settings, client: RegistryClient, events: @escaping EngineEvents) async throws -> Outcome {
        let started = Date()
        let usage = try loadUsage(settings, registry: client.registry)
        var targets: [CheckTarget] = []
        var findings: [HealthFinding] = []
        var repositoryCount = 0
        if settings.walksRegistry {
            let walker = RegistryWalker(client: client)
            let repositories = try await walker.repositories(settings.all ? [] : settings.repositories)
            repositoryCount = repositories.count
            let entries = try await walker.tags(in: repositories, resolveDigests: false)
            let tagged = Set(entries.map(\.repository))
            for repository in repositories where !tagged.contains(repository) {
                findings.append(
                    HealthFinding(
                        repository: repository, tag: "", digest: nil, problem: .noTags, detail: "repository has no tags",
                        inUse: usage.isInUse(repository: repository), usedBy: []))
            }
            targets = entries.map { entry in
                CheckTarget(
                    repository: entry.repository, tag: entry.tag, inUse: usage.isInUse(entry.repository, tag: entry.tag),
                    usedBy: usage.users(entry.repository, tag: entry.tag))
            }
        } else {
            targets = usage.targets.map { CheckTarget(repository: $0.repository, tag: $0.reference, inUse: true, usedBy: $0.usedBy) }
            repositoryCount = Set(targets.map(\.repository)).count
        }
        // A tag is in use by name, or by a digest pin on it or an index child: known once read.
        var lookup: HealthChecker.UsageLookup?
        if settings.walksRegistry {
            lookup = { (repository: String, tag: String, digest: Digest, children: [Digest]) -> (Bool, [String]) in
                (
                    usage.isInUse(repository, tag: tag, digest: digest, children: children),
                    usage.users(repository, tag: tag, digest: digest, children: children)
                )
            }
        }
        let checker = HealthChecker(client: client, parallelism: client.configuration.concurrency * 2, usage: lookup)
        let (found, counters) = await checker.check(targets, progress: progressReporter(events, phase: "check"))
        findings += found
        findings.sort { ($0.repository, $0.tag, $0.problem.rawValue, $0.detail) < ($1.repository, $1.tag, $1.problem.rawValue, $1.detail) }

        var summary = HealthReport.Summary()
        summary.repositories = repositoryCount
        summary.tagsChecked = counters.tags
        summary.manifestsChecked = counters.manifests
        summary.blobsChecked = counters.blobs
        summary.healthyTags = counters.healthyTags
        summary.bytes = counters.bytes
        summary.seconds = Date().timeIntervalSince(started)
        summary.requests = client.requestCount
        for finding in findings { summary.problems[finding.problem.rawValue, default: 0] += 1 }
        let stamp = UTCStamp.string(started)
        let mode = settings.all ? "all" : settings.repositories.isEmpty ? "inventory" : "repositories"
        let report = HealthReport(registry: client.registry, mode: mode, startedAt: stamp, summary: summary, findings: findings)
        let directory = try settings.reportDirectory ?? UniquePath.makeDirectory("reports/\(stamp)")
        try HealthReportWriter.write(report, to: directory)
        return Outcome(report: report, reportDirectory: directory)
    }

    /// What the inventory says is in use on this registry (nothing when the registry is walked
    /// without one). A given inventory obeys the inventory rails: an empty one, or one naming
    /// none of this registry's images, is refused rather than checking nothing and calling it
    /// healthy. Without any inventory or walk, `./images.json` is read if it exists.
    static func loadUsage(_ settings: Settings, registry: String) throws -> InUseIndex {
        let path: String
        if let inventory = settings.inventoryPath {
            path = inventory
        } else if settings.walksRegistry {
            return InUseIndex(images: [])
        } else if FileManager.default.fileExists(atPath: "images.json") {
            path = "images.json"
        } else {
            throw EngineError.missingInput("no inventory: give --inventory images.json (from `evictor inventory`), or --all")
        }
        let loaded = try InventoryFile.read(path)
        return InUseIndex(images: try InventoryRails.imagesOnRegistry(loaded, registry: registry, aliases: settings.aliases, minimum: 1))
    }
}
