import ArgumentParser
import EvictorEngine
import EvictorCore
import RegistryAPI

/// `evictor count`: repositories, tags and distinct manifests.
struct CountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract: "Count repositories, tags and distinct manifests in a registry."
    )

    @Argument(help: "host[:port] (HTTPS), a URL such as http://127.0.0.1:5000, or a registry's name in --config.")
    var registry: String

    @Flag(name: .long, help: "Also count per repository.")
    var byRepo = false

    @Option(name: .long, help: "text or json.")
    var output: OutputFormat = .text

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var configFile: ConfigOption

    func run() async throws {
        let counts = try await connection.withClient(for: try configFile.resolve(registry)) { client in
            try await RegistryCensus.count(client: client, byRepository: byRepo, events: CommandLog.events())
        }
        switch output {
        case .json:
            try JSONOutput.print(counts)
        case .text:
            if let rows = counts.byRepository {
                let width = max(10, rows.map(\.repository.count).max() ?? 0)
                print("REPOSITORY".padding(toLength: width, withPad: " ", startingAt: 0) + "  TAGS  MANIFESTS")
                for row in rows {
                    print(
                        row.repository.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + String(row.tags).leftPadded(4) + "  "
                            + String(row.manifests).leftPadded(9))
                }
            }
            print("repositories: \(counts.repositories) (\(counts.repositoriesWithoutTags) without tags)")
            print("tags: \(counts.tags)")
            print("manifests: \(counts.manifests)")
            if counts.unresolvedTags > 0 { print("tags whose manifest is missing or unreadable: \(counts.unresolvedTags)") }
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
