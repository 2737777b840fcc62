import EvictorCore
import RegistryStorage

/// `report.json` of a storage scan.
public struct StorageReport: Encodable, Sendable {
    public var root: String
    public var startedAt: String
    public var seconds: Double
    public var repositories: Int
    public var tags: Int
    public var manifests: Int
    public var blobs: Int
    public var problems: [String: Int]
    public var findings: [StorageFinding]

    public init(root: String, startedAt: String, seconds: Double, result: StorageScanner.ScanResult) {
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

    /// The findings as RFC 4180 CSV, a row each.
    public var csv: String {
        CSV.document(
            header: ["problem", "repository", "tag", "digest", "path", "detail", "tags"],
            rows: findings.map {
                [$0.problem.rawValue, $0.repository, $0.tag ?? "", $0.digest ?? "", $0.path, $0.detail, $0.tags.joined(separator: " ")]
            })
    }
}
