import ArgumentParser
import EvictorCore
import Foundation
import RegistryAPI

/// `evictor check`: health-checks tags and writes reports. Exit 0 healthy, 1 problems, 2 could not check.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check that tags can really be pulled: manifests, digests, index children, configs, layers.",
        discussion: """
            By default checks the tags in the inventory (images.json); --all (-R) checks every tag \
            in the registry, -r REPO every tag of REPO, and both mark each in use or not. Reports go to ./reports/<UTC time>/ \
            (report.json, report.csv). Exit status: 0 healthy, 1 problems found, 2 could not check.
            """
    )

    @Argument(help: "host[:port] (HTTPS) or a URL such as http://127.0.0.1:5000.")
    var registry: String

    @Option(name: .long, help: "The inventory (images.json) naming the tags to check and what is in use.")
    var inventory: String?

    @Flag(name: [.customShort("R"), .customLong("all")], help: "Check every tag in the registry.")
    var all = false

    @Option(name: [.customShort("r"), .customLong("repository")], help: "Check every tag of this repository; repeatable (an unknown one is an error).")
    var repositories: [String] = []

    @Option(name: .customLong("registry-alias"), help: "Another name inventory entries use for this registry; repeatable.")
    var aliases: [String] = []

    @Option(name: .customLong("report-dir"), help: "Where to write report.json and report.csv (default ./reports/<UTC time>).")
    var reportDirectory: String?

    @Option(name: .long, help: "text or json (the report on stdout).")
    var output: OutputFormat = .text

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        do {
            try await check()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    private func check() async throws {
        let started = Date()
        let client = try connection.makeClient(for: registry, defaultConcurrency: 16)
        defer { Task { await client.shutdown() } }
        let usage = try loadUsage(registryName: client.registry)
        var targets: [CheckTarget] = []
        var findings: [HealthFinding] = []
        var repositoryCount = 0
        let walkRegistry = all || !repositories.isEmpty
        if walkRegistry {
            let walker = RegistryWalker(client: client)
            let repositories = try await walker.repositories(all ? [] : self.repositories)
            repositoryCount = repositories.count
            let entries = try await walker.tags(in: repositories, resolveDigests: false)
            let tagged = Set(entries.map(\.repository))
            for repository in repositories where !tagged.contains(repository) {
                findings.append(HealthFinding(repository: repository, tag: "", digest: nil, problem: .noTags, detail: "repository has no tags",
                                              inUse: usage.isInUse(repository: repository), usedBy: []))
            }
            targets = entries.map { entry in
                let users = usage.users(entry.repository, tag: entry.tag)
                return CheckTarget(repository: entry.repository, tag: entry.tag, inUse: usage.isInUse(entry.repository, tag: entry.tag), usedBy: users)
            }
        } else {
            targets = usage.targets.map { CheckTarget(repository: $0.repository, tag: $0.reference, inUse: true, usedBy: $0.usedBy) }
            repositoryCount = Set(targets.map(\.repository)).count
        }
        let progress = ProgressDisplay(label: "check")
        // A tag is in use by name, or by a digest pin on it or an index child: known once read.
        var lookup: HealthChecker.UsageLookup?
        if walkRegistry {
            lookup = { (repository: String, tag: String, digest: Digest, children: [Digest]) -> (Bool, [String]) in
                (usage.isInUse(repository, tag: tag, digest: digest, children: children), usage.users(repository, tag: tag, digest: digest, children: children))
            }
        }
        let checker = HealthChecker(client: client, parallelism: client.configuration.concurrency * 2, usage: lookup)
        let (found, counters) = await checker.check(targets) { done, total in progress.update(done: done, total: total) }
        findings += found
        findings.sort { ($0.repository, $0.tag, $0.problem.rawValue, $0.detail) < ($1.repository, $1.tag, $1.problem.rawValue, $1.detail) }

        var summary = HealthReport.Summary()
        summary.repositories = repositoryCount
        summary.tagsChecked = counters.tags
        summary.manifestsChecked = counters.manifests
        summary.blobsChecked = counters.blobs
        summary.healthyTags = counters.healthyTags
        summary.seconds = Date().timeIntervalSince(started)
        summary.requests = client.requestCount
        for finding in findings { summary.problems[finding.problem.rawValue, default: 0] += 1 }
        let stamp = UTCStamp.string(started)
        let report = HealthReport(registry: client.registry, mode: all ? "all" : repositories.isEmpty ? "inventory" : "repositories", startedAt: stamp, summary: summary, findings: findings)
        let directory = try reportDirectory ?? UniquePath.makeDirectory("reports/\(stamp)")
        try HealthReportWriter.write(report, to: directory)

        switch output {
        case .json:
            FileHandle.standardOutput.write(try HealthReportWriter.json(report))
        case .text:
            for finding in findings.prefix(50) {
                let name = finding.tag.isEmpty ? finding.repository : "\(finding.repository):\(finding.tag)"
                print("\(finding.problem.rawValue)\t\(name)\t\(finding.detail)\(finding.inUse ? "\tIN USE by \(finding.usedBy.joined(separator: ", "))" : "")")
            }
            if findings.count > 50 { print("... and \(findings.count - 50) more in \(directory)/report.csv") }
            let classes = summary.problems.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            print("checked \(summary.tagsChecked) tags in \(summary.repositories) repositories in \(String(format: "%.1f", summary.seconds))s: \(summary.healthyTags) healthy, \(findings.count) problem\(findings.count == 1 ? "" : "s")\(classes.isEmpty ? "" : " (\(classes))")")
            print("report: \(directory)/report.json, \(directory)/report.csv")
        }
        if !findings.isEmpty { throw ExitCode(1) }
    }

    /// What the inventory says is in use on this registry (nothing for `--all` without one).
    /// A given inventory obeys the inventory rails: an empty one, or one naming none of this
    /// registry's images, is refused rather than checking nothing and calling it healthy.
    private func loadUsage(registryName: String) throws -> InUseIndex {
        let path: String
        if let inventory {
            path = inventory
        } else if all || !repositories.isEmpty {
            return InUseIndex(images: [])
        } else if FileManager.default.fileExists(atPath: "images.json") {
            path = "images.json"
        } else {
            throw ValidationError("no inventory: give --inventory images.json (from `evictor inventory`), or --all")
        }
        let loaded = try InventoryFile.read(path)
        return InUseIndex(images: try InventoryRails.imagesOnRegistry(loaded, registry: registryName, aliases: aliases, minimum: 1))
    }
}
