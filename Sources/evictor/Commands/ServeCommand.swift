import ArgumentParser
import EvictorEngine
import EvictorServer
import Foundation
import Logging

/// `evictor serve`: the scheduler, the monitoring endpoints and the web report.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the config's schedules and serve health, metrics, the JSON API and a web report.",
        discussion: """
            Reads the config file (--config, else $EVICTOR_CONFIG, else ./evictor.yaml) and holds its \
            state directory (a second serve or run on it is refused). Jobs (inventory, check, plan, \
            run, storage-scan) start on their schedules (cron, UTC; or every INTERVAL, first at \
            start), one at a time per registry: one still running when its next time comes is \
            skipped and counted. A run deletes only where its schedule says `delete: true`. History \
            (runs, figures, findings, plans with reasons, deletions) is kept in STATE/history.sqlite. \
            Endpoints: /healthz, /readyz, /_health (no token); /metrics, /_nagios_check_registry, \
            /_report.json, /_report.csv, /_images.json, /api/v1/..., and the report at / (a bearer \
            token when serve.token is set). SIGTERM/SIGINT: the server stops taking requests, \
            deletes in flight finish and are journaled, nothing new starts.
            """
    )

    @Option(name: .long, help: "The config file (default: $EVICTOR_CONFIG, else ./evictor.yaml).")
    var config: String?

    @Option(name: .long, help: "HOST:PORT to listen on (default: serve.listen, else 127.0.0.1:8080; port 0 picks a free one).")
    var listen: String?

    @OptionGroup var plugins: PluginOptions

    func run() async throws {
        try plugins.refuseOptions("serve")
        let environment = ProcessInfo.processInfo.environment
        let file = ConfigLoader.path(explicit: config, environment: environment)
        let loaded = try ConfigLoader.load(file: file, environment: environment)
        var settings = EvictorServer.Settings(
            config: loaded, configPath: file, pluginPath: plugins.pluginPath(with: loaded), environment: environment)
        settings.listen = listen
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = environment["EVICTOR_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return handler
        }
        let logger = Logger(label: "evictor.serve")
        try await EvictorServer.run(settings, logger: logger) { url in
            CommandLog.info("evictor serve: listening on \(url) (report at \(url)/; times in UTC)")
        }
    }
}
