import ArgumentParser
import EvictorEngine
import EvictorCore
import RegistryAPI

/// `evictor count`: repositories, tags and distinct manifests.
struct CountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract: "Count repositories and tags in a registry (and distinct manifests with --manifests).",
        discussion: """
            Repositories and tags come from the catalog and each repository's tag list: a request \
            per repository. --manifests also HEADs every tag to count distinct manifests and tags \
            whose manifest is missing or unreadable (a request per tag).
            """
    )

    @Argument(help: "host[:port] (HTTPS), a URL such as http://127.0.0.1:5000, or a registry's name in --config.")
    var registry: String

    @Flag(name: .long, help: "Also count per repository.")
    var byRepo = false

    @Flag(name: .long, help: "Also count distinct manifests and unresolved tags (a HEAD per tag).")
    var manifests = false

    @Option(name: .long, help: "text or json.")
    var output: OutputFormat = .text

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var configFile: ConfigOption

    func run() async throws {
        let counts = try await connection.withClient(for: try configFile.resolve(registry)) { client in
            try await RegistryCensus.count(client: client, byRepository: byRepo, manifests: manifests, events: CommandLog.events())
        }
        switch output {
        case .json:
            try JSONOutput.print(counts)
        case .text:
            if let rows = counts.byRepository {
                let width = max(10, rows.map(\.repository.count).max() ?? 0)
                print("REPOSITORY".padding(toLength: width, withPad: " ", startingAt: 0) + "  TAGS" + (manifests ? "  MANIFESTS" : ""))
                for row in rows {
                    print(
                        row.repository.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + String(row.tags).leftPadded(4)
                            + (row.manifests.map { "  " + String($0).leftPadded(9) } ?? ""))
                }
            }
            print("repositories: \(counts.repositories) (\(counts.repositoriesWithoutTags) without tags)")
            print("tags: \(counts.tags)")
            if let manifestCount = counts.manifests { print("manifests: \(manifestCount)") }
            if let unresolved = counts.unresolvedTags, unresolved > 0 { print("tags whose manifest is missing or unreadable: \(unresolved)") }
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
