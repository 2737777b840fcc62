import ArgumentParser
import EvictorEngine
import RegistryAPI

/// `evictor ls`: every tag of a registry, one `repo:tag` per line, sorted.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List every tag in a registry as repo:tag (or repo:tag@digest), sorted."
    )

    @Argument(help: "host[:port] (HTTPS), a URL such as http://127.0.0.1:5000, or a registry's name in --config.")
    var registry: String

    @Option(name: [.customShort("r"), .customLong("repository")], help: "Only this repository (repeatable).")
    var repositories: [String] = []

    @Flag(name: .long, help: "Also resolve and print each tag's manifest digest.")
    var digest = false

    @Option(name: .long, help: "text or json.")
    var output: OutputFormat = .text

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var configFile: ConfigOption

    func run() async throws {
        let entries = try await connection.withClient(for: try configFile.resolve(registry)) { client in
            try await RegistryCensus.tags(client: client, repositories: repositories, resolveDigests: digest)
        }
        switch output {
        case .json:
            try JSONOutput.print(entries)
        case .text:
            var text = ""
            for entry in entries {
                text += "\(entry.repository):\(entry.tag)"
                if digest { text += "@\(entry.digest?.description ?? "(missing)")" }
                text += "\n"
            }
            print(text, terminator: "")
        }
    }
}
