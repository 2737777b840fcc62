import ArgumentParser
import EvictorScripting

/// `evictor plugins list`.
struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "Show the plugins on the plugin path.",
        subcommands: [PluginsListCommand.self],
        defaultSubcommand: PluginsListCommand.self
    )
}

struct PluginsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List plugins: name, kind, version, description, file.")

    @Option(name: .long, help: "text or json.")
    var output: OutputFormat = .text

    @OptionGroup var plugins: PluginOptions

    func run() async throws {
        let entries = await PluginCatalog.list(plugins.pluginPath)
        switch output {
        case .json:
            try JSONOutput.print(entries)
        case .text:
            if entries.isEmpty {
                print("no plugins on the plugin path (\(plugins.pluginPath.directories.joined(separator: ":")))")
                return
            }
            let nameWidth = max(4, entries.map(\.name.count).max() ?? 0)
            for entry in entries {
                let detail = entry.error.map { "ERROR: \($0)" } ?? entry.description
                print("\(entry.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0))  \(entry.kind.padding(toLength: 6, withPad: " ", startingAt: 0))  \((entry.version.isEmpty ? "-" : entry.version).padding(toLength: 7, withPad: " ", startingAt: 0))  \(detail)  (\(entry.file))")
            }
        }
    }
}
