import EvictorCore
import Foundation
import RegistryStorage

/// The `storage scan` use case: read a store, find its damage, write the report.
public enum StorageScan {
    public struct Settings: Sendable {
        public var storage: StorageSource
        public var uploadAgeHours: Double = 24
        /// Also hash every blob (reads the whole store; manifests are always verified).
        public var verifyBlobs = false
        /// Where report.json and report.csv go (nil: a new `reports/storage-<UTC time>`).
        public var reportDirectory: String?

        public init(root: String, uploadAgeHours: Double = 24, verifyBlobs: Bool = false, reportDirectory: String? = nil) {
            self.init(storage: .root(root), uploadAgeHours: uploadAgeHours, verifyBlobs: verifyBlobs, reportDirectory: reportDirectory)
        }

        public init(storage: StorageSource, uploadAgeHours: Double = 24, verifyBlobs: Bool = false, reportDirectory: String? = nil) {
            self.storage = storage
            self.uploadAgeHours = uploadAgeHours
            self.verifyBlobs = verifyBlobs
            self.reportDirectory = reportDirectory
        }
    }

    public struct Outcome: Sendable {
        public var report: StorageReport
        /// `report.json`'s bytes.
        public var json: Data
        public var reportDirectory: String
    }

    /// Scans and writes the report (reading only the store).
    public static func run(_ settings: Settings) throws -> Outcome {
        let started = Date()
        let result = try StorageScanner(
            layout: try settings.storage.layout(), uploadAgeHours: settings.uploadAgeHours, verifyBlobs: settings.verifyBlobs
        ).scan()
        let report = StorageReport(
            root: settings.storage.description, startedAt: UTCStamp.string(started), seconds: Date().timeIntervalSince(started), result: result)
        let directory = try settings.reportDirectory ?? UniquePath.makeDirectory("reports/storage-\(report.startedAt)")
        let json = try VersionedDocument.encoder().encode(report)
        try HealthReportWriter.writeFiles([("report.json", json), ("report.csv", Data(report.csv.utf8))], to: directory)
        return Outcome(report: report, json: json, reportDirectory: directory)
    }
}
