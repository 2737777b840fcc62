import EvictorCore

/// One tag as listed, with its manifest digest when resolved.
public struct TagEntry: Sendable, Hashable, Codable, Comparable {
    public var repository: String
    public var tag: String
    public var digest: Digest?
    public var mediaType: String?
    /// Why the digest could not be read, when the registry failed on this tag's manifest alone.
    public var unreadable: String?

    public init(repository: String, tag: String, digest: Digest? = nil, mediaType: String? = nil, unreadable: String? = nil) {
        self.repository = repository
        self.tag = tag
        self.digest = digest
        self.mediaType = mediaType
        self.unreadable = unreadable
    }

    public static func < (lhs: TagEntry, rhs: TagEntry) -> Bool {
        (lhs.repository, lhs.tag) < (rhs.repository, rhs.tag)
    }
}

/// Walks a registry concurrently: repositories, their tags, and optionally each tag's digest.
/// Work is fed to a bounded number of tasks, so memory stays proportional to the result.
public struct RegistryWalker: Sendable {
    public let client: RegistryClient
    /// Tasks in flight (the client's own limit bounds requests on top of this).
    public var parallelism: Int

    public init(client: RegistryClient, parallelism: Int? = nil) {
        self.client = client
        self.parallelism = max(1, parallelism ?? client.configuration.concurrency * 2)
    }

    /// The repositories to walk: the given ones (validated, and known to the registry) or the
    /// whole catalog. A named repository the registry does not know is an error naming it, not
    /// an empty result.
    public func repositories(_ only: [String]) async throws(RegistryAPIError) -> [String] {
        if only.isEmpty { return try await client.repositories().sorted() }
        for name in only { try RepositoryName.validate(name) }
        let names = Array(Set(only)).sorted()
        let unknown = try await unknownRepositories(names)
        guard unknown.isEmpty else {
            let what = unknown.count == 1 ? "repository \(unknown[0])" : "repositories \(unknown.joined(separator: ", "))"
            throw .notFound(registry: client.registry, what: what)
        }
        return names
    }

    /// The names the registry does not know: tags/list answers 404 and the catalog does not
    /// list them (Distribution answers 404 for a catalogued repository without tags, too).
    public func unknownRepositories(_ names: [String]) async throws(RegistryAPIError) -> [String] {
        let missing = try await map(names) { name throws(RegistryAPIError) -> String? in
            do throws(RegistryAPIError) {
                _ = try await client.tags(of: name)
                return nil
            } catch .notFound {
                return name
            }
        }.compactMap { $0 }
        guard !missing.isEmpty else { return [] }
        let catalog = Set(try await client.repositories())
        return missing.filter { !catalog.contains($0) }
    }

    /// Every tag of every repository, sorted; with `resolveDigests`, each tag HEADed for its digest.
    /// A tag whose manifest the registry fails on with HTTP 500 after every retry (Distribution
    /// does so for a stored manifest it cannot parse) comes back without a digest, `unreadable`
    /// saying why; any other failure ends the walk.
    public func tags(in repositories: [String], resolveDigests: Bool) async throws(RegistryAPIError) -> [TagEntry] {
        let listed = try await map(repositories) { repository throws(RegistryAPIError) in
            try await tagEntries(repository)
        }.flatMap { $0 }
        guard resolveDigests else { return listed.sorted() }
        let resolved = try await map(listed) { entry throws(RegistryAPIError) -> TagEntry in
            let head: ManifestHead?
            do throws(RegistryAPIError) {
                head = try await client.manifestHead(entry.repository, reference: entry.tag)
            } catch .serverError(registry: let registry, what: let what, status: 500, attempts: let attempts) {
                var unreadable = entry
                unreadable.unreadable = RegistryAPIError.serverError(registry: registry, what: what, status: 500, attempts: attempts).description
                return unreadable
            }
            // Listed but gone (deleted meanwhile, or a broken store): reported without digest.
            guard let head else { return entry }
            return TagEntry(repository: entry.repository, tag: entry.tag, digest: head.digest, mediaType: head.mediaType)
        }
        return resolved.sorted()
    }

    /// A repository's tags; none when the registry answers 404 (Distribution does so for a
    /// catalogued repository whose tags are all gone).
    private func tagEntries(_ repository: String) async throws(RegistryAPIError) -> [TagEntry] {
        do {
            return try await client.tags(of: repository).map { TagEntry(repository: repository, tag: $0) }
        } catch {
            if case .notFound = error { return [] }
            throw error
        }
    }

    /// Runs `transform` over `items` with at most `parallelism` in flight; the first error wins.
    public func map<Item: Sendable, Output: Sendable>(
        _ items: [Item], _ transform: @escaping @Sendable (Item) async throws(RegistryAPIError) -> Output
    ) async throws(RegistryAPIError) -> [Output] {
        try await BoundedConcurrency.map(items, limit: parallelism, transform)
    }
}
