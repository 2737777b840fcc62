import ArgumentParser
import EvictorCore
import RegistryAPI

/// `evictor count`: repositories, tags and distinct manifests.
struct CountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract: "Count repositories, tags and distinct manifests in a registry."
    )

    @Argument(help: "host[:port] (HTTPS) or a URL such as http://127.0.0.1:5000.")
    var registry: String

    @Flag(name: .long, help: "Also count per repository.")
    var byRepo = false

    @Option(name: .long, help: "text or json.")
    var output: OutputFormat = .text

    @OptionGroup var connection: ConnectionOptions

    struct RepositoryCount: Codable {
        var repository: String
        var tags: Int
        var manifests: Int
    }

    struct Counts: Codable {
        var registry: String
        var repositories: Int
        var repositoriesWithoutTags: Int
        var tags: Int
        /// Distinct repository@digest pairs that tags point to.
        var manifests: Int
        /// Tags listed whose manifest is missing or cannot be read.
        var unresolvedTags: Int
        var byRepository: [RepositoryCount]?
    }

    func run() async throws {
        let client = try connection.makeClient(for: registry)
        let counts: Counts
        do {
            let walker = RegistryWalker(client: client)
            let repositories = try await walker.repositories([])
            let entries = try await walker.tags(in: repositories, resolveDigests: true)
            for entry in entries { if let reason = entry.unreadable { CommandLog.warn("\(reason); counted as unresolved") } }
            CommandLog.stats(client)
            await client.shutdown()
            counts = Self.count(registry: client.registry, repositories: repositories, entries: entries, byRepo: byRepo)
        } catch {
            await client.shutdown()
            throw error
        }
        switch output {
        case .json:
            try JSONOutput.print(counts)
        case .text:
            if let rows = counts.byRepository {
                let width = max(10, rows.map(\.repository.count).max() ?? 0)
                print("REPOSITORY".padding(toLength: width, withPad: " ", startingAt: 0) + "  TAGS  MANIFESTS")
                for row in rows {
                    print(row.repository.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + String(row.tags).leftPadded(4) + "  " + String(row.manifests).leftPadded(9))
                }
            }
            print("repositories: \(counts.repositories) (\(counts.repositoriesWithoutTags) without tags)")
            print("tags: \(counts.tags)")
            print("manifests: \(counts.manifests)")
            if counts.unresolvedTags > 0 { print("tags whose manifest is missing or unreadable: \(counts.unresolvedTags)") }
        }
    }

    static func count(registry: String, repositories: [String], entries: [TagEntry], byRepo: Bool) -> Counts {
        var tagsPerRepo: [String: Int] = [:]
        var digestsPerRepo: [String: Set<Digest>] = [:]
        var unresolved = 0
        for entry in entries {
            tagsPerRepo[entry.repository, default: 0] += 1
            if let digest = entry.digest { digestsPerRepo[entry.repository, default: []].insert(digest) } else { unresolved += 1 }
        }
        let rows = repositories.map { RepositoryCount(repository: $0, tags: tagsPerRepo[$0] ?? 0, manifests: digestsPerRepo[$0]?.count ?? 0) }
        return Counts(
            registry: registry,
            repositories: repositories.count,
            repositoriesWithoutTags: rows.filter { $0.tags == 0 }.count,
            tags: entries.count,
            manifests: digestsPerRepo.values.reduce(0) { $0 + $1.count },
            unresolvedTags: unresolved,
            byRepository: byRepo ? rows : nil
        )
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
