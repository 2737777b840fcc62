import ArgumentParser
import EvictorEngine
import EvictorScripting
import Foundation

/// `evictor config check`.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with the config file (evictor.yaml) of unattended runs.",
        subcommands: [ConfigCheckCommand.self]
    )
}

struct ConfigCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the config file and print it resolved (variables interpolated, secrets masked).",
        discussion: """
            The file is --config, else the one EVICTOR_CONFIG names, else ./evictor.yaml. Exit 0 when \
            it is valid (the resolved configuration on stdout, YAML or --output json), 2 with one \
            Error: line naming the file and the key path when it is not (every policy is loaded \
            and its options checked, as a run would). Secrets print as ***: \
            credentials passwords, and every value taken from a variable the credentials name or \
            whose name contains PASSWORD, TOKEN or SECRET.
            """
    )

    @Option(name: .long, help: "The config file (default: $EVICTOR_CONFIG, else ./evictor.yaml).")
    var config: String?

    @Option(name: .long, help: "yaml or json.")
    var output: ConfigOutputFormat = .yaml

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let file = ConfigLoader.path(explicit: config, environment: environment)
        let loaded = try ConfigLoader.load(file: file, environment: environment)
        try await ConfigPolicyCheck.check(loaded, file: file, pluginPath: PluginPath.resolve(explicit: [], configured: loaded.pluginDirectories))
        let text = output == .json ? ConfigRendering.json(loaded) : ConfigRendering.yaml(loaded)
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// `config check --output`: the config file's own format, or JSON.
enum ConfigOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case yaml, json
}
