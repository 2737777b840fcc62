import ArgumentParser
import EvictorCore
import Foundation
import RegistryStorage

/// `evictor storage scan`: every damage in a store, as a report like `check`'s.
struct StorageScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Find damage in a registry's storage: broken links, corrupt or missing manifests, missing layers, stale uploads.",
        discussion: "Reads only. Writes report.json and report.csv (default ./reports/storage-<UTC time>/). Exit 0 clean, 1 damage found."
    )

    @Option(name: .long, help: "The registry's storage root (its rootdirectory).")
    var root: String

    @Option(name: .customLong("upload-age"), help: "Report uploads older than this many hours (default 24).")
    var uploadAge: Double = 24

    @Flag(name: .customLong("verify-blobs"), help: "Also hash every blob (reads the whole store; manifests are always verified).")
    var verifyBlobs = false

    @Option(name: .customLong("report-dir"), help: "Where to write the reports.")
    var reportDirectory: String?

    @Option(name: .long, help: "text or json.")
    var output: OutputFormat = .text

    func run() async throws {
        let started = Date()
        let result = try StorageScanner(layout: try StorageLayout(root: root), uploadAgeHours: uploadAge, verifyBlobs: verifyBlobs).scan()
        let report = StorageReport(root: root, startedAt: UTCStamp.string(started), seconds: Date().timeIntervalSince(started), result: result)
        let directory = try reportDirectory ?? UniquePath.makeDirectory("reports/storage-\(report.startedAt)")
        let json = try VersionedDocument.encoder().encode(report)
        try HealthReportWriter.writeFiles([("report.json", json), ("report.csv", Data(report.csv.utf8))], to: directory)
        switch output {
        case .json:
            FileHandle.standardOutput.write(json + Data("\n".utf8))
        case .text:
            for finding in result.findings.prefix(100) {
                print("\(finding.problem.rawValue)\t\(finding.repository.isEmpty ? "-" : finding.repository)\(finding.tag.map { ":\($0)" } ?? "")\t\(finding.detail)\t\(finding.path)")
            }
            if result.findings.count > 100 { print("... and \(result.findings.count - 100) more in \(directory)/report.csv") }
            print("scanned \(result.repositories) repositories, \(result.tags) tags, \(result.manifests) manifests, \(result.blobs) blobs: \(result.findings.count) problem\(result.findings.count == 1 ? "" : "s")")
            print("report: \(directory)/report.json, \(directory)/report.csv")
        }
        if !result.findings.isEmpty { throw ExitCode(1) }
    }
}

/// `report.json` of a storage scan.
struct StorageReport: Encodable {
    var root: String
    var startedAt: String
    var seconds: Double
    var repositories: Int
    var tags: Int
    var manifests: Int
    var blobs: Int
    var problems: [String: Int]
    var findings: [StorageFinding]

    init(root: String, startedAt: String, seconds: Double, result: StorageScanner.Result) {
        self.root = root
        self.startedAt = startedAt
        self.seconds = seconds
        repositories = result.repositories
        tags = result.tags
        manifests = result.manifests
        blobs = result.blobs
        findings = result.findings
        problems = Dictionary(result.findings.map { ($0.problem.rawValue, 1) }, uniquingKeysWith: +)
    }

    var csv: String {
        CSV.document(header: ["problem", "repository", "tag", "digest", "path", "detail", "tags"], rows: findings.map {
            [$0.problem.rawValue, $0.repository, $0.tag ?? "", $0.digest ?? "", $0.path, $0.detail, $0.tags.joined(separator: " ")]
        })
    }
}
