import Foundation

/// Writes `report.json` and `report.csv` into a report directory, mode 0600.
public enum HealthReportWriter {
    /// `DIR/report.json` and `DIR/report.csv`; creates DIR (0700) if needed.
    public static func write(_ report: HealthReport, to directory: String) throws(EvictorCoreError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .cannotWrite(directory, reason: "cannot create the report directory")
        }
        try AtomicFile.write(try json(report), to: directory + "/report.json", permissions: 0o600)
        try AtomicFile.write(Data(csv(report.findings).utf8), to: directory + "/report.csv", permissions: 0o600)
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
        var lines = ["repository,tag,digest,problem,detail,in_use,used_by"]
        for finding in findings {
            lines.append([
                finding.repository, finding.tag, finding.digest ?? "", finding.problem.rawValue, finding.detail,
                finding.inUse ? "true" : "false", finding.usedBy.joined(separator: " "),
            ].map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    private static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
