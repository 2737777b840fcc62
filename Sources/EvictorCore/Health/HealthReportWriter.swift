import Foundation

/// Writes `report.json` and `report.csv` into a report directory, mode 0600.
public enum HealthReportWriter {
    /// `DIR/report.json` and `DIR/report.csv`; creates DIR (0700) if needed.
    public static func write(_ report: HealthReport, to directory: String) throws(EvictorCoreError) {
        try writeFiles([("report.json", try json(report)), ("report.csv", Data(csv(report.findings).utf8))], to: directory)
    }

    /// The `report.json` document (snake_case keys), for the file and for `--output json`.
    public static func json(_ report: HealthReport) throws(EvictorCoreError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        do { return try encoder.encode(report) + Data("\n".utf8) } catch {
            throw .cannotWrite("report.json", reason: "cannot encode the report")
        }
    }

    /// RFC 4180 CSV: one header row, one row per problem.
    public static func csv(_ findings: [HealthFinding]) -> String {
        CSV.document(
            header: ["repository", "tag", "digest", "problem", "detail", "in_use", "used_by"],
            rows: findings.map { finding in
                [
                    finding.repository, finding.tag, finding.digest ?? "", finding.problem.rawValue, finding.detail, finding.inUse ? "true" : "false",
                    finding.usedBy.joined(separator: " "),
                ]
            })
    }

    /// Creates a report directory (0700) and writes `files` into it atomically, mode 0600.
    public static func writeFiles(_ files: [(name: String, data: Data)], to directory: String) throws(EvictorCoreError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .cannotWrite(directory, reason: "cannot create the report directory")
        }
        for file in files { try AtomicFile.write(file.data, to: directory + "/" + file.name, permissions: 0o600) }
    }
}
