import EvictorEngine
import Foundation
import Logging
import ServiceLifecycle

/// Starts the config's scheduled jobs on time (UTC): a cron schedule at each matching minute,
/// an interval schedule at start and then every interval. A job whose registry is still busy
/// is skipped (and counted by the runner), never stacked.
public struct JobScheduler: Service {
    let schedules: [ScheduleConfig]
    let runner: JobRunner
    let logger: Logger

    public init(schedules: [ScheduleConfig], runner: JobRunner, logger: Logger) {
        self.schedules = schedules
        self.runner = runner
        self.logger = logger
    }

    public func run() async throws {
        guard !schedules.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        let started = Date()
        var due = schedules.map { Self.first($0, from: started) }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            guard let next = due.compactMap({ $0 }).min() else { return }
            let wait = next.timeIntervalSinceNow
            if wait > 0 {
                do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int(wait * 1000) + 1)) } } catch { return }
                if Task.isShuttingDownGracefully { return }
            }
            let now = Date()
            for index in schedules.indices {
                guard let time = due[index], time <= now else { continue }
                let schedule = schedules[index]
                do {
                    try await runner.start(
                        schedule.job, registry: schedule.registry, delete: schedule.job == .run && schedule.delete, trigger: "schedule \(index)")
                } catch {
                    logger.info("scheduled job not started: \(error)", metadata: ["job": "\(schedule.job.rawValue)"])
                }
                due[index] = Self.next(schedule, after: now, previous: time)
            }
        }
    }

    /// When `schedule` first runs, counting from the server's start.
    static func first(_ schedule: ScheduleConfig, from start: Date) -> Date? {
        switch schedule.trigger {
        case .cron(let cron): cron.nextMatch(after: start.addingTimeInterval(-60))
        case .every: start
        }
    }

    /// When `schedule` runs next after its run due at `previous` (one missed while busy is not repeated).
    static func next(_ schedule: ScheduleConfig, after now: Date, previous: Date) -> Date? {
        switch schedule.trigger {
        case .cron(let cron):
            return cron.nextMatch(after: now)
        case .every(let interval):
            var next = previous.addingTimeInterval(Double(interval.seconds))
            while next <= now { next = next.addingTimeInterval(Double(interval.seconds)) }
            return next
        }
    }
}
