import ArgumentParser
import EvictorEngine
import Foundation

/// `evictor usage`: the pull history `serve` keeps.
struct UsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Work with the pull history (STATE/usage.sqlite) that serve records from the registry's notifications.",
        subcommands: [UsageImportCommand.self]
    )
}

struct UsageImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Back-fill the pull history from the registry's access log (before notifications were on).",
        discussion: """
            Reads Distribution's `response completed` lines (text or JSON log format): every GET of \
            a manifest answered 200 is a pull, except Evictor's own. A pull by tag counts for the \
            digest the tag has now (the log does not say which one it had). Lines are counted once by \
            their request id, which is also the id in the notifications: importing a file twice, or \
            a log that overlaps the notifications, changes nothing. Pushes and deletes come from \
            notifications only.
            """
    )

    @Option(name: .long, help: "The config file (default: $EVICTOR_CONFIG, else ./evictor.yaml).")
    var config: String?

    @Option(name: .long, help: "The registry's name in the config file.")
    var registry: String

    @Option(name: .customLong("access-log"), help: "A registry log file; repeatable.")
    var accessLogs: [String] = []

    @Option(name: .long, help: "The usage store (default: usage.sqlite in the config's state directory).")
    var usage: String?

    func validate() throws {
        if accessLogs.isEmpty { throw ValidationError("Missing expected argument '--access-log <access-log>'") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let file = ConfigLoader.path(explicit: config, environment: environment)
        let loaded = try ConfigLoader.load(file: file, environment: environment)
        guard let configured = loaded.registry(named: registry) else {
            throw ConfigError.unknownRegistry(file: file, name: registry, known: loaded.registries.map(\.name))
        }
        // Every log readable before anything is created or counted.
        for log in accessLogs where !FileManager.default.isReadableFile(atPath: log) {
            throw EngineError.missingInput("cannot read the access log \(log)")
        }
        let path = usage ?? "\(loaded.state.directory)/\(UsageStore.fileName)"
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        let store = try UsageStore(path: path, windowDays: configured.notifications?.windowDays ?? NotificationsConfig.defaultWindowDays)
        let connection = try ConnectionOptions.parse([])
        let outcome = try await connection.withClient(for: ResolvedRegistry(argument: registry, registry: configured, config: loaded)) { client in
            try await UsageImport.run(files: accessLogs, store: store, registry: registry, client: client, events: CommandLog.events())
        }
        print(
            "read \(outcome.lines) lines: \(outcome.pulls) pulls, \(outcome.recorded) recorded, \(outcome.duplicates) already counted, "
                + "\(outcome.unresolved) of tags that no longer exist; store: \(path)")
    }
}
