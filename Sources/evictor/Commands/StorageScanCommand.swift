import ArgumentParser
import EvictorEngine
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

    @OptionGroup var store: StorageLocationOptions

    @Option(name: .customLong("upload-age"), help: "Report uploads older than this many hours (default 24).")
    var uploadAge: Double = 24

    @Flag(name: .customLong("verify-blobs"), help: "Also hash every blob (reads the whole store; manifests are always verified).")
    var verifyBlobs = false

    @Option(name: .customLong("report-dir"), help: "Where to write the reports.")
    var reportDirectory: String?

    @Option(name: .long, help: "text or json.")
    var output: OutputFormat = .text

    func run() async throws {
        let outcome = try StorageScan.run(
            StorageScan.Settings(storage: store.source, uploadAgeHours: uploadAge, verifyBlobs: verifyBlobs, reportDirectory: reportDirectory))
        let report = outcome.report
        let directory = outcome.reportDirectory
        switch output {
        case .json:
            FileHandle.standardOutput.write(outcome.json + Data("\n".utf8))
        case .text:
            for finding in report.findings.prefix(100) {
                let repository = finding.repository.isEmpty ? "-" : finding.repository
                let tag = finding.tag.map { ":\($0)" } ?? ""
                print("\(finding.problem.rawValue)\t\(repository)\(tag)\t\(finding.detail)\t\(finding.path)")
            }
            if report.findings.count > 100 { print("... and \(report.findings.count - 100) more in \(directory)/report.csv") }
            print(
                "scanned \(report.repositories) repositories, \(report.tags) tags, \(report.manifests) manifests, \(report.blobs) blobs: "
                    + "\(report.findings.count) problem\(report.findings.count == 1 ? "" : "s")"
            )
            print("report: \(directory)/report.json, \(directory)/report.csv")
        }
        if !report.findings.isEmpty { throw ExitCode(1) }
    }
}
