import Foundation

/// A reviewed, versioned list of deletions: what `evictor plan` writes and `evictor apply` runs.
public struct Plan: Sendable, Codable {
    public static let formatName = "evictor-plan"
    public static let formatVersion = 1

    /// A file the plan was made from, with its sha256 so a reviewer can tell it apart.
    public struct Input: Sendable, Codable, Hashable {
        public var name: String
        public var file: String
        public var sha256: String
        public init(name: String, file: String, sha256: String) {
            self.name = name
            self.file = file
            self.sha256 = sha256
        }
    }

    /// One of several policies a plan combined (keep wins), with where it applied.
    public struct PolicyUse: Sendable, Codable, Hashable {
        public var policy: Input
        /// The regular expression on repository names it applied to (nil: all).
        public var repositories: String?
        public var options: [String: String]
        public init(policy: Input, repositories: String?, options: [String: String]) {
            self.policy = policy
            self.repositories = repositories
            self.options = options
        }
    }

    /// The limits the plan was made under.
    public struct Settings: Sendable, Codable, Hashable {
        public var maxDeletePercent: Double
        public var minInventory: Int
        public var policyOptions: [String: String]
        public var registryAliases: [String]
        public init(maxDeletePercent: Double = 50, minInventory: Int = 0, policyOptions: [String: String] = [:], registryAliases: [String] = []) {
            self.maxDeletePercent = maxDeletePercent
            self.minInventory = minInventory
            self.policyOptions = policyOptions
            self.registryAliases = registryAliases
        }
    }

    /// One DELETE by digest, with the tags it removes as they were at planning time.
    public struct Action: Sendable, Codable, Hashable {
        public var repository: String
        public var digest: Digest
        public var mediaType: String
        /// Tags that point to `digest` and go with it (empty for an untagged manifest).
        public var tags: [String]
        /// tag -> digest expected at apply time; a tag that moved is skipped.
        public var expected: [String: Digest] {
            get { expectedOverride ?? everyTagAtDigest }
            set { expectedOverride = newValue == everyTagAtDigest ? nil : newValue }
        }
        private var everyTagAtDigest: [String: Digest] { Dictionary(tags.map { ($0, digest) }, uniquingKeysWith: { first, _ in first }) }

        /// The digest `tag` must still point to for it to be deleted with this action.
        public func expectedDigest(ofTag tag: String) -> Digest { expectedOverride?[tag] ?? digest }
        /// `expected` when it is not simply every tag at `digest` (a plan file may say so):
        /// a plan of 100,000 deletions keeps no dictionary per action.
        private var expectedOverride: [String: Digest]?
        public var reasons: [String]
        public var size: Int64
        /// Deletion order within a repository: 0 referrers, 1 indexes, 2 other manifests. An
        /// index goes before its children, so a stopped run never leaves a broken index.
        public var phase: Int
        public init(repository: String, digest: Digest, mediaType: String, tags: [String], reasons: [String], size: Int64, phase: Int) {
            self.repository = repository
            self.digest = digest
            self.mediaType = mediaType
            self.tags = tags
            self.reasons = reasons
            self.size = size
            self.phase = phase
        }

        private enum CodingKeys: String, CodingKey {
            case repository, digest, mediaType, tags, expected, reasons, size, phase
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            repository = try container.decode(String.self, forKey: .repository)
            digest = try container.decode(Digest.self, forKey: .digest)
            mediaType = try container.decode(String.self, forKey: .mediaType)
            tags = try container.decode([String].self, forKey: .tags)
            reasons = try container.decode([String].self, forKey: .reasons)
            size = try container.decode(Int64.self, forKey: .size)
            phase = try container.decode(Int.self, forKey: .phase)
            expected = try container.decode([String: Digest].self, forKey: .expected)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(repository, forKey: .repository)
            try container.encode(digest, forKey: .digest)
            try container.encode(mediaType, forKey: .mediaType)
            try container.encode(tags, forKey: .tags)
            try container.encode(expected, forKey: .expected)
            try container.encode(reasons, forKey: .reasons)
            try container.encode(size, forKey: .size)
            try container.encode(phase, forKey: .phase)
        }
    }

    /// Per repository: counts and the bytes garbage collection could reclaim afterwards.
    public struct RepositorySummary: Sendable, Codable, Hashable {
        public var repository: String
        public var tags: Int
        public var tagsKept: Int
        public var tagsDeleted: Int
        public var manifestsDeleted: Int
        public var reclaimableBytes: Int64
        /// Tags the policy wanted gone that a safety rail kept.
        public var keptByRails: Int
    }

    public var format = Plan.formatName
    public var version = Plan.formatVersion
    public var createdAt: Date
    /// The registry's URL, as `apply` will reach it.
    public var registry: String
    /// The policy (for several combined: their names joined by `+`, each in `policies`).
    public var policy: Input
    /// Every policy, when more than one was combined or one applied to some repositories only.
    public var policies: [PolicyUse]?
    public var inventory: Input?
    public var settings: Settings
    public var actions: [Action]
    public var repositories: [RepositorySummary]

    public init(
        createdAt: Date = Date(), registry: String, policy: Input, inventory: Input?, settings: Settings, actions: [Action],
        repositories: [RepositorySummary]
    ) {
        self.createdAt = createdAt
        self.registry = registry
        self.policy = policy
        self.inventory = inventory
        self.settings = settings
        self.actions = actions
        self.repositories = repositories
    }

    public var tagsTotal: Int { repositories.reduce(0) { $0 + $1.tags } }
    public var tagsDeleted: Int { repositories.reduce(0) { $0 + $1.tagsDeleted } }
    public var reclaimableBytes: Int64 { repositories.reduce(0) { $0 + $1.reclaimableBytes } }
}

/// Reads and writes plan files (atomic, versioned). Written as a stream, one action per line,
/// so a plan for 100,000 tags never exists as one encoded document in memory.
public enum PlanFile {
    public static func write(_ plan: Plan, to path: String) throws(EvictorCoreError) {
        try AtomicFile.write(to: path, permissions: 0o600) { sink in try encode(plan, into: sink) }
    }

    /// The plan as JSON into `sink` (also used for `--output json`).
    public static func encode(_ plan: Plan, into sink: FileSink) throws {
        struct Header: Encodable {
            var format: String
            var version: Int
            var createdAt: Date
            var registry: String
            var policy: Plan.Input
            var policies: [Plan.PolicyUse]?
            var inventory: Plan.Input?
            var settings: Plan.Settings
        }
        let encoder = VersionedDocument.encoder(pretty: false)
        let header = try encoder.encode(
            Header(
                format: plan.format, version: plan.version, createdAt: plan.createdAt, registry: plan.registry,
                policy: plan.policy, policies: plan.policies, inventory: plan.inventory, settings: plan.settings
            ))
        sink.write(header.dropLast())  // the closing brace; the lists follow
        sink.write(",\n\"actions\":[")
        for (index, action) in plan.actions.enumerated() {
            sink.write(index == 0 ? "\n" : ",\n")
            sink.write(try encoder.encode(action))
        }
        sink.write("\n],\n\"repositories\":[")
        for (index, summary) in plan.repositories.enumerated() {
            sink.write(index == 0 ? "\n" : ",\n")
            sink.write(try encoder.encode(summary))
        }
        sink.write("\n]}\n")
    }

    public static func read(_ path: String) throws(EvictorCoreError) -> Plan {
        try VersionedDocument.read(Plan.self, from: path, format: Plan.formatName, version: Plan.formatVersion) {
            .invalidPlan(path, reason: $0)
        }
    }
}
