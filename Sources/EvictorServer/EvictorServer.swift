import EvictorEngine
import EvictorScripting
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// `evictor serve`: holds the state directory, runs the scheduler and the HTTP server until
/// SIGTERM or SIGINT, then lets jobs in flight finish or stop safely.
public enum EvictorServer {
    public struct Settings: Sendable {
        public var config: EvictorConfig
        public var configPath: String
        /// `HOST:PORT` (default: the config's `serve.listen`).
        public var listen: String?
        public var pluginPath: PluginPath
        public var environment: [String: String]

        public init(config: EvictorConfig, configPath: String, pluginPath: PluginPath, environment: [String: String]) {
            self.config = config
            self.configPath = configPath
            self.pluginPath = pluginPath
            self.environment = environment
        }
    }

    /// Why the server could not start.
    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs until a graceful shutdown; `listening(url)` is called once the port is bound.
    public static func run(_ settings: Settings, logger: Logger, listening: @escaping @Sendable (String) -> Void) async throws {
        let listen = settings.listen ?? settings.config.serve.listen
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
            throw StartFailure(description: "--listen \(listen): expected HOST:PORT")
        }
        let host = String(listen[..<colon])
        let state: StateDirectory
        do {
            state = try StateDirectory(path: settings.config.state.directory)
        } catch {
            throw StartFailure(description: "\(error) (is another evictor serve or run using it?)")
        }
        let history = try RunHistory(path: "\(state.path)/history.sqlite")
        let metrics = ServerMetrics()
        let runner = JobRunner(
            config: settings.config, configPath: settings.configPath, pluginPath: settings.pluginPath, environment: settings.environment,
            state: state, history: history, metrics: metrics, logger: logger)
        let windowDays = settings.config.registries.compactMap(\.notifications?.windowDays).max() ?? NotificationsConfig.defaultWindowDays
        let usage = try UsageStore(path: "\(state.path)/\(UsageStore.fileName)", windowDays: windowDays)
        let server = ServerState(config: settings.config, history: history, runner: runner, metrics: metrics, state: state, usage: usage)
        let router = Router()
        ServerRoutes(server: server).register(on: router)
        let gate = ListeningGate()
        let scheduler = JobScheduler(schedules: settings.config.schedules, runner: runner, logger: logger, listening: gate)
        // The HTTP layer logs only what goes wrong; `serve` says itself where it listens.
        var httpLogger = logger
        httpLogger.logLevel = max(logger.logLevel, .warning)
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "evictor"),
            services: [JobDrain(runner: runner), scheduler],
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                listening("http://\(host.contains(":") ? "[\(host)]" : host):\(bound)")
                gate.open()
            },
            logger: httpLogger)
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}

/// On a graceful shutdown: jobs start nothing new, deletes in flight finish and are journaled,
/// and the shutdown waits for them.
struct JobDrain: Service {
    let runner: JobRunner

    func run() async throws {
        try? await gracefulShutdown()
        await runner.shutdown(signal: SIGTERM)
    }
}
