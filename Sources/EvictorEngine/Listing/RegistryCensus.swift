import EvictorCore
import RegistryAPI

/// The `ls` and `count` use cases: every tag of a registry (or of some repositories), and how
/// many repositories, tags and distinct manifests there are.
public enum RegistryCensus {
    /// One repository's figures.
    public struct RepositoryCount: Codable, Sendable, Equatable {
        public var repository: String
        public var tags: Int
        /// nil unless manifests were counted.
        public var manifests: Int?
    }

    /// A registry's figures (`count --output json`).
    public struct Counts: Codable, Sendable, Equatable {
        public var registry: String
        public var repositories: Int
        public var repositoriesWithoutTags: Int
        public var tags: Int
        /// Distinct repository@digest pairs that tags point to (nil unless counted: a HEAD per tag).
        public var manifests: Int?
        /// Tags listed whose manifest is missing or cannot be read (nil unless manifests were counted).
        public var unresolvedTags: Int?
        public var byRepository: [RepositoryCount]?
    }

    /// Every tag of `repositories` (empty: the whole catalog; an unknown one is an error),
    /// sorted, with digests when `resolveDigests`.
    public static func tags(client: RegistryClient, repositories: [String], resolveDigests: Bool) async throws -> [TagEntry] {
        let walker = RegistryWalker(client: client)
        return try await walker.tags(in: try await walker.repositories(repositories), resolveDigests: resolveDigests)
    }

    /// Counts the whole registry; a tag whose manifest cannot be read is a warning and counts
    /// as unresolved. Repositories and tags come from the catalog and `tags/list` alone (what
    /// the original count did); distinct manifests cost a HEAD per tag and only come with
    /// `manifests`.
    public static func count(client: RegistryClient, byRepository: Bool, manifests: Bool = false, events: @escaping EngineEvents) async throws
        -> Counts
    {
        let walker = RegistryWalker(client: client)
        let repositories = try await walker.repositories([])
        let entries = try await walker.tags(in: repositories, resolveDigests: manifests)
        for entry in entries { if let reason = entry.unreadable { events(.warning("\(reason); counted as unresolved")) } }
        return counts(registry: client.registry, repositories: repositories, entries: entries, byRepository: byRepository, manifests: manifests)
    }

    /// The figures of a listing (manifests only when the entries were resolved).
    public static func counts(registry: String, repositories: [String], entries: [TagEntry], byRepository: Bool, manifests: Bool = true)
        -> Counts
    {
        var tagsPerRepo: [String: Int] = [:]
        var digestsPerRepo: [String: Set<Digest>] = [:]
        var unresolved = 0
        for entry in entries {
            tagsPerRepo[entry.repository, default: 0] += 1
            if let digest = entry.digest { digestsPerRepo[entry.repository, default: []].insert(digest) } else { unresolved += 1 }
        }
        let rows = repositories.map {
            RepositoryCount(repository: $0, tags: tagsPerRepo[$0] ?? 0, manifests: manifests ? digestsPerRepo[$0]?.count ?? 0 : nil)
        }
        return Counts(
            registry: registry,
            repositories: repositories.count,
            repositoriesWithoutTags: rows.filter { $0.tags == 0 }.count,
            tags: entries.count,
            manifests: manifests ? digestsPerRepo.values.reduce(0) { $0 + $1.count } : nil,
            unresolvedTags: manifests ? unresolved : nil,
            byRepository: byRepository ? rows : nil
        )
    }
}
