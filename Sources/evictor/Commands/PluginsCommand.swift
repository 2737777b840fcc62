import ArgumentParser
import EvictorScripting

/// `evictor plugins list`.
struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "Show the plugins and policies: built-in and on the plugin path.",
        subcommands: [PluginsListCommand.self],
        defaultSubcommand: PluginsListCommand.self
    )
}

struct PluginsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List sources, fixers, policies and libraries: name, kind, version, description, origin.",
        discussion: """
            Each --plugin-path directory (in order), then each EVICTOR_PLUGIN_PATH entry, then the \
            built-ins compiled into evictor: the first that has KIND/NAME.lua wins, and its origin \
            (built-in, or the file) is shown.
            """
    )

    @Option(name: .long, help: "text or json.")
    var output: OutputFormat = .text

    @OptionGroup var plugins: PluginOptions

    func run() async throws {
        let path = plugins.pluginPath
        let entries = await PluginCatalog.list(path)
        switch output {
        case .json:
            try JSONOutput.print(entries)
        case .text:
            if entries.isEmpty {
                print(
                    "no plugins (searched \(path.searched.isEmpty ? "nothing" : path.searched.joined(separator: ", "))); "
                        + "\(PluginPath.addDirectoriesHint)"
                )
                return
            }
            let nameWidth = max(4, entries.map(\.name.count).max() ?? 0)
            for entry in entries {
                let detail = entry.error.map { "ERROR: \($0)" } ?? entry.description
                let name = entry.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                let kind = entry.kind.padding(toLength: 6, withPad: " ", startingAt: 0)
                let version = (entry.version.isEmpty ? "-" : entry.version).padding(toLength: 7, withPad: " ", startingAt: 0)
                print("\(name)  \(kind)  \(version)  \(detail)  (\(entry.origin))")
            }
        }
    }
}
