import EvictorCore
import RegistryAPI

/// What `copy` takes from the source: the images in use (an inventory), named repositories or
/// images, or everything.
public enum CopySelection: Sendable {
    /// Every tag of every repository in the catalog.
    case all
    /// `REPO` (every tag), `REPO:TAG` or `REPO@DIGEST`.
    case references([String])
    /// Every reference of the inventory on the source registry (or one of `aliases`).
    case inventory(Inventory, aliases: [String])

    /// The items to copy, sorted and each once, and the inventory references that live on other
    /// registries (listed as skipped).
    func resolve(on source: RegistryClient) async throws(RegistryAPIError) -> (items: [CopyItem], elsewhere: [String]) {
        switch self {
        case .all:
            let repositories = try await source.repositories()
            return (try await Self.everyTag(of: repositories, on: source), [])
        case .references(let texts):
            var items: [CopyItem] = []
            var wholeRepositories: [String] = []
            for text in texts {
                let item = try Self.parse(text)
                if item.tag == nil, item.digest == nil { wholeRepositories.append(item.repository) } else { items.append(item) }
            }
            items += try await Self.everyTag(of: wholeRepositories, on: source)
            return (Array(Set(items)).sorted(), [])
        case .inventory(let inventory, let aliases):
            var items: Set<CopyItem> = []
            var elsewhere: [String] = []
            for image in inventory.images {
                let reference = image.reference
                guard reference.isOnRegistry(source.registry, aliases: aliases) else {
                    elsewhere.append(reference.description)
                    continue
                }
                // A reference with neither tag nor digest means :latest, as a pull does.
                let tag = reference.tag ?? (reference.digest == nil ? "latest" : nil)
                items.insert(CopyItem(repository: reference.path, tag: tag, digest: reference.digest))
            }
            return (items.sorted(), elsewhere.sorted())
        }
    }

    /// `REPO`, `REPO:TAG` or `REPO@DIGEST`, checked.
    static func parse(_ text: String) throws(RegistryAPIError) -> CopyItem {
        if let at = text.firstIndex(of: "@") {
            let repository = String(text[..<at])
            let digestText = String(text[text.index(after: at)...])
            try RepositoryName.validate(repository)
            do {
                return CopyItem(repository: repository, digest: try Digest(parsing: digestText))
            } catch {
                throw .invalidName(text, reason: "not a valid digest after @")
            }
        }
        if let colon = text.lastIndex(of: ":"), !text[colon...].contains("/") {
            let repository = String(text[..<colon])
            let tag = String(text[text.index(after: colon)...])
            try RepositoryName.validate(repository)
            try RepositoryName.validateTag(tag)
            return CopyItem(repository: repository, tag: tag)
        }
        try RepositoryName.validate(text)
        return CopyItem(repository: text)
    }

    /// One item per tag of each repository (a repository the registry does not have is an error).
    private static func everyTag(of repositories: [String], on source: RegistryClient) async throws(RegistryAPIError) -> [CopyItem] {
        let lists = try await BoundedConcurrency.map(repositories, limit: max(1, source.configuration.concurrency)) {
            repository throws(RegistryAPIError) in
            try await source.tags(of: repository).map { CopyItem(repository: repository, tag: $0) }
        }
        return lists.flatMap { $0 }.sorted()
    }
}
