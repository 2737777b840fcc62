import ArgumentParser
import EvictorEngine
import EvictorScripting
import Foundation

/// `evictor plugins list`.
struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List, show, test and start plugins: sources, policies, fixers and libraries, built in and on the plugin path.",
        subcommands: [PluginsListCommand.self, PluginsShowCommand.self, PluginsTestCommand.self, PluginsNewCommand.self],
        defaultSubcommand: PluginsListCommand.self
    )
}

struct PluginsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List sources, fixers, policies and libraries: name, kind, version, description, origin.",
        discussion: """
            Layers, bottom to top: the built-ins compiled into evictor, each EVICTOR_PLUGIN_PATH entry, \
            each --plugin-path directory in order. The top-most layer that has KIND/NAME.lua wins; its \
            origin (built-in, or the file) is shown, and what it overrides.
            """
    )

    @Option(name: .long, help: "text or json.")
    var output: OutputFormat = .text

    @OptionGroup var plugins: PluginOptions

    func run() async throws {
        try plugins.refuseOptions("plugins list")
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
                print("\(name)  \(kind)  \(version)  \(detail)  (\(entry.origin)\(entry.overrides.map { "; overrides \($0)" } ?? ""))")
            }
        }
    }
}

/// `evictor plugins show NAME`: what one plugin is, its options and how to use it.
struct PluginsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one plugin: description, origin, options with types and defaults, and an example."
    )

    @Argument(help: "A source, policy, fixer or library (lib.NAME) name.")
    var name: String

    @Option(name: .long, help: "Only this kind: source, policy, fixer or lib (when several kinds share the name).")
    var kind: String?

    @Option(name: .long, help: "text or json.")
    var output: OutputFormat = .text

    @OptionGroup var plugins: PluginOptions

    func run() async throws {
        try plugins.refuseOptions("plugins show")
        if let kind, !PluginCatalog.kinds.contains(where: { $0.1 == kind }) {
            throw ValidationError("--kind must be source, policy, fixer or lib, not \(kind)")
        }
        let path = plugins.pluginPath
        let entries = await PluginCatalog.find(name, kind: kind, in: path)
        guard !entries.isEmpty else {
            throw ScriptingError.notFound(kind: kind ?? "plugin", name: name, searched: path.searched)
        }
        switch output {
        case .json: try JSONOutput.print(entries)
        case .text: for entry in entries { Self.print(entry) }
        }
        if let broken = entries.first(where: { $0.error != nil }), let error = broken.error {
            throw ValidationError("\(broken.file): \(error)")
        }
    }

    static func print(_ entry: PluginEntry) {
        Swift.print(
            "\(entry.kind) \(entry.name)\(entry.version.isEmpty ? "" : " " + entry.version) (\(entry.origin)"
                + "\(entry.overrides.map { "; overrides \($0)" } ?? ""))")
        if !entry.description.isEmpty { Swift.print("  \(entry.description)") }
        if entry.kind != "lib" {
            if entry.options.isEmpty {
                Swift.print("  options: none")
            } else {
                Swift.print("  options (--option \(entry.name).KEY=VALUE):")
                let width = entry.options.map(\.name.count).max() ?? 0
                for option in entry.options {
                    var type = option.type
                    if let values = option.values { type += " (\(values.joined(separator: "|")))" }
                    let setting = option.required ? "required" : option.defaultValue.map { "default \($0)" } ?? "no default"
                    Swift.print(
                        "    \(option.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(type), \(setting): \(option.description)")
                }
            }
        }
        Swift.print("  example: \(entry.example)")
    }
}

/// `evictor plugins test [DIR]`: every test of a plugin directory or repository.
struct PluginsTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run every test of a plugin directory or repository (policies/, sources/ and fixers/ *_test.lua); exit 1 on a failure.",
        discussion: """
            DIR (default: the current directory) is the top layer of the plugin path, so its plugins \
            and lib/ modules are the ones tested; --plugin-path and EVICTOR_PLUGIN_PATH lie below it. \
            Usable as a plugin repository's own CI step.
            """
    )

    @Argument(help: "The plugin directory or repository (default: .).")
    var directory: String = "."

    @OptionGroup var plugins: PluginOptions

    func run() async throws {
        try plugins.refuseOptions("plugins test")
        let outcomes = try await PluginTests.run(directory: directory, pluginPath: plugins.pluginPath, events: CommandLog.events())
        guard !outcomes.isEmpty else {
            print("no tests in \(directory) (policies/, sources/ or fixers/ *_test.lua)")
            throw ExitCode(1)
        }
        try PolicyTestCommand.report(outcomes)
    }
}

/// `evictor plugins new policy|source|fixer NAME [--in DIR]`.
struct PluginsNewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Write a working policy, source or fixer with its passing test, ready for a plugin repository.",
        discussion: """
            Writes DIR/KIND-FOLDER/NAME.lua and NAME_test.lua (never over existing ones), and, when \
            missing, DIR/evictor-plugins.yaml (the repository manifest), DIR/.luarc.json and \
            DIR/types/evictor.d.lua, so the Lua language server completes the evictor API at once. \
            Then: `evictor plugins test DIR`.
            """
    )

    @Argument(help: "policy, source or fixer.")
    var kind: String

    @Argument(help: "The plugin's name (lower-case letters, digits, - and _).")
    var name: String

    @Option(name: .customLong("in"), help: "The plugin directory or repository (default: .).")
    var directory: String = "."

    func run() async throws {
        for path in try PluginScaffold.create(kind: kind, name: name, in: directory) { print("wrote \(path)") }
        print("next: evictor plugins test \(directory)")
    }
}
