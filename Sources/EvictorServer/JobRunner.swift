import EvictorCore
import EvictorEngine
import EvictorScripting
import Foundation
import Logging

/// Runs `serve`'s jobs, one at a time per registry: a job whose registry is busy is skipped
/// and counted, never stacked. Each finished job goes to the history and the metrics.
public actor JobRunner {
    /// Why a job did not start.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case busy(String)
        case unknownRegistry(String)
        case deleteNotAllowed(String)
        case stopping

        public var description: String {
            switch self {
            case .busy(let name): "\(name) is busy with another job"
            case .unknownRegistry(let name): "no registry named \(name)"
            case .deleteNotAllowed(let name): "the config has no `run` schedule with `delete: true` for \(name): this server does not delete there"
            case .stopping: "the server is stopping"
            }
        }
    }

    let config: EvictorConfig
    let configPath: String
    let pluginPath: PluginPath
    let environment: [String: String]
    let state: StateDirectory
    let history: RunHistory
    let metrics: ServerMetrics
    let logger: Logger
    /// Set by the graceful stop: jobs start nothing new and deletes in flight finish.
    public let stop = StopRequest()
    private var busy: Set<String> = []
    private var running: [UUID: Task<RunRecord?, Never>] = [:]

    public init(
        config: EvictorConfig, configPath: String, pluginPath: PluginPath, environment: [String: String], state: StateDirectory, history: RunHistory,
        metrics: ServerMetrics, logger: Logger
    ) {
        self.config = config
        self.configPath = configPath
        self.pluginPath = pluginPath
        self.environment = environment
        self.state = state
        self.history = history
        self.metrics = metrics
        self.logger = logger
    }

    /// What `job` on `registry` (every registry when nil) holds while it runs, so that no other
    /// job runs there meanwhile: those registries' names, or `inventory`.
    public nonisolated func holds(_ job: ScheduleConfig.Job, registry: String?) -> [String] {
        job == .inventory ? ["inventory"] : registry.map { [$0] } ?? config.registries.map(\.name)
    }

    /// Starts `job` (on `registry`, or every registry when nil) and returns its run's id once
    /// it has started; throws a `Refusal` when it cannot start now.
    @discardableResult
    public func start(_ job: ScheduleConfig.Job, registry: String?, delete: Bool, trigger: String) throws(Refusal) -> Task<RunRecord?, Never> {
        guard stop.signal == nil else { throw .stopping }
        if let registry, config.registry(named: registry) == nil { throw .unknownRegistry(registry) }
        let names = holds(job, registry: registry)
        if delete {
            for name in names where !config.deletesAllowed(on: name) { throw .deleteNotAllowed(name) }
        }
        if let taken = names.first(where: { busy.contains($0) }) {
            metrics.recordSkip(job: job.rawValue, registry: taken)
            logger.warning("job skipped: registry busy", metadata: ["job": "\(job.rawValue)", "registry": "\(taken)", "trigger": "\(trigger)"])
            throw .busy(taken)
        }
        busy.formUnion(names)
        let key = UUID()
        var settings = UnattendedRun.Settings(config: config, configPath: configPath, pluginPath: pluginPath, environment: environment)
        settings.registries = registry.map { [$0] } ?? []
        settings.delete = delete
        settings.job = job.rawValue
        settings.steps = Self.steps(job)
        let task = Task { [state, history, metrics, logger, stop] () -> RunRecord? in
            let collector = RunDetailsCollector()
            logger.info("job started", metadata: ["job": "\(job.rawValue)", "registry": "\(registry ?? "all")", "trigger": "\(trigger)"])
            let record: RunRecord
            do {
                record = try await UnattendedRun.run(
                    settings, state: state, stop: stop,
                    events: { event in
                        if case .warning(let text) = event { logger.warning("\(text)") }
                    },
                    milestones: { collector.add($0) })
            } catch {
                logger.error("job could not run", metadata: ["job": "\(job.rawValue)", "error": "\(error)"])
                self.finish(names, key: key)
                return nil
            }
            let details = collector.details
            do {
                try history.record(record, trigger: trigger, registry: registry, details: details, keep: settings.config.serve.historyKeep)
            } catch {
                logger.error("history not written", metadata: ["run": "\(record.id)", "error": "\(error)"])
            }
            metrics.recordRun(record, job: job.rawValue, details: details)
            logger.info(
                "job ended",
                metadata: [
                    "job": "\(job.rawValue)", "run": "\(record.id)", "outcome": "\(record.outcome.rawValue)", "error": "\(record.error ?? "")",
                ])
            self.finish(names, key: key)
            return record
        }
        running[key] = task
        return task
    }

    private func finish(_ names: [String], key: UUID) {
        busy.subtract(names)
        running[key] = nil
    }

    /// Asks every job to stop (deletes in flight finish and are journaled) and waits for them.
    public func shutdown(signal: Int32) async {
        stop.request(signal: signal)
        for task in running.values { _ = await task.value }
    }

    /// The steps of each job.
    static func steps(_ job: ScheduleConfig.Job) -> UnattendedRun.Steps {
        switch job {
        case .inventory: [.inventory]
        case .check: [.check]
        case .plan, .run: .all
        case .storageScan: [.storageScan]
        }
    }
}
