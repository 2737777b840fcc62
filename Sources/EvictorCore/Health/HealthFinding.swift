/// What is wrong with a tag (or a repository), as the checker classifies it.
public enum HealthProblem: String, Sendable, Codable, CaseIterable {
    /// Listed, but the manifest cannot be retrieved (404).
    case manifestUnknown = "manifest-unknown"
    /// The body does not hash to its digest.
    case digestMismatch = "digest-mismatch"
    /// The manifest cannot be parsed or has the wrong schema.
    case corrupt
    /// A config, layer or index child is missing (detail names it).
    case blobMissing = "blob-missing"
    /// The registry refused access.
    case denied
    /// HTTP 5xx or timeouts that persisted after retries.
    case serverError = "server-error"
    /// A repository with no tags at all.
    case noTags = "no-tags"
}

/// One problem found by `evictor check`.
public struct HealthFinding: Sendable, Codable, Hashable {
    public var repository: String
    public var tag: String
    public var digest: String?
    public var problem: HealthProblem
    public var detail: String
    public var inUse: Bool
    public var usedBy: [String]

    public init(repository: String, tag: String, digest: String?, problem: HealthProblem, detail: String, inUse: Bool, usedBy: [String]) {
        self.repository = repository
        self.tag = tag
        self.digest = digest
        self.problem = problem
        self.detail = detail
        self.inUse = inUse
        self.usedBy = usedBy
    }
}

/// The result of one check run: what was checked and every problem found.
public struct HealthReport: Sendable, Codable {
    public struct Summary: Sendable, Codable, Equatable {
        public var repositories = 0
        public var tagsChecked = 0
        public var manifestsChecked = 0
        public var blobsChecked = 0
        public var healthyTags = 0
        /// Bytes of the distinct blobs the checked images refer to (nil in reports made before it was counted).
        public var bytes: Int64?
        public var problems: [String: Int] = [:]
        public var seconds: Double = 0
        public var requests = 0

        public init() {}
    }

    public var registry: String
    public var mode: String
    public var startedAt: String
    public var summary: Summary
    public var findings: [HealthFinding]

    public init(registry: String, mode: String, startedAt: String, summary: Summary, findings: [HealthFinding]) {
        self.registry = registry
        self.mode = mode
        self.startedAt = startedAt
        self.summary = summary
        self.findings = findings
    }
}
