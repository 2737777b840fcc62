import ArgumentParser
import EvictorCore
import EvictorEngine
import Foundation

/// `evictor check`: health-checks tags and writes reports. Exit 0 healthy, 1 problems, 2 could not check.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check that tags can really be pulled: manifests, digests, index children, configs, layers.",
        discussion: """
            By default checks the tags in the inventory (images.json); --all (-R) checks every tag \
            in the registry, -r REPO every tag of REPO, and both mark each in use or not. Reports go \
            to ./reports/<UTC time>/ (report.json, report.csv). Exit status: 0 healthy, 1 problems \
            found, 2 could not check.
            """
    )

    @Argument(help: "host[:port] (HTTPS), a URL such as http://127.0.0.1:5000, or a registry's name in --config.")
    var registry: String

    @Option(name: .long, help: "The inventory (images.json) naming the tags to check and what is in use.")
    var inventory: String?

    @Flag(name: [.customShort("R"), .customLong("all")], help: "Check every tag in the registry.")
    var all = false

    @Option(
        name: [.customShort("r"), .customLong("repository")], help: "Check every tag of this repository; repeatable (an unknown one is an error).")
    var repositories: [String] = []

    @Option(name: .customLong("registry-alias"), help: "Another name inventory entries use for this registry; repeatable.")
    var aliases: [String] = []

    @Option(name: .customLong("report-dir"), help: "Where to write report.json and report.csv (default ./reports/<UTC time>).")
    var reportDirectory: String?

    @Option(name: .long, help: "text or json (the report on stdout).")
    var output: OutputFormat = .text

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var configFile: ConfigOption

    func run() async throws {
        let resolved = try configFile.resolve(registry)
        let settings = HealthCheck.Settings(
            inventoryPath: inventory, all: all, repositories: repositories, aliases: aliases + (resolved.registry?.aliases ?? []),
            reportDirectory: reportDirectory)
        let outcome = try await connection.withClient(for: resolved, defaultConcurrency: 16) { client in
            try await HealthCheck.run(settings, client: client, events: CommandLog.events())
        }
        let report = outcome.report
        let findings = report.findings
        let directory = outcome.reportDirectory
        switch output {
        case .json:
            FileHandle.standardOutput.write(try HealthReportWriter.json(report))
        case .text:
            for finding in findings.prefix(50) {
                let name = finding.tag.isEmpty ? finding.repository : "\(finding.repository):\(finding.tag)"
                let usage = finding.inUse ? "\tIN USE by \(finding.usedBy.joined(separator: ", "))" : ""
                print("\(finding.problem.rawValue)\t\(name)\t\(finding.detail)\(usage)")
            }
            if findings.count > 50 { print("... and \(findings.count - 50) more in \(directory)/report.csv") }
            let summary = report.summary
            let classes = summary.problems.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            let seconds = String(format: "%.1f", summary.seconds)
            print(
                "checked \(summary.tagsChecked) tags in \(summary.repositories) repositories in \(seconds)s: \(summary.healthyTags) healthy, "
                    + "\(findings.count) problem\(findings.count == 1 ? "" : "s")\(classes.isEmpty ? "" : " (\(classes))")"
            )
            print("report: \(directory)/report.json, \(directory)/report.csv")
        }
        if !findings.isEmpty { throw ExitCode(1) }
    }
}
