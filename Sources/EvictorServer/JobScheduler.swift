import EvictorEngine
import Foundation
import Logging
import ServiceLifecycle

/// Starts the config's scheduled jobs on time (UTC): a cron schedule at each matching minute,
/// an interval schedule at start and then every interval. A job whose registry is still busy
/// with an earlier job is skipped (and counted by the runner), never stacked. Jobs due at the
/// same moment on the same registry (a nightly `run` and an hourly `check` at 03:00) run one
/// after the other, in the config's order: the later ones are not skipped for the first.
public struct JobScheduler: Service {
    let schedules: [ScheduleConfig]
    let runner: JobRunner
    let logger: Logger
    /// Opened once the server listens: nothing is scheduled before.
    let listening: ListeningGate

    init(schedules: [ScheduleConfig], runner: JobRunner, logger: Logger, listening: ListeningGate) {
        self.schedules = schedules
        self.runner = runner
        self.logger = logger
        self.listening = listening
    }

    public func run() async throws {
        guard !schedules.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        // The gate opens when the server listens; a shutdown before that ends the wait.
        await cancelWhenGracefulShutdown { await listening.wait() }
        if Task.isShuttingDownGracefully || Task.isCancelled { return }
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
            // The jobs this moment started (or queued), with what each holds.
            var startedNow: [(holds: Set<String>, done: Task<Void, Never>)] = []
            for index in schedules.indices {
                guard let time = due[index], time <= now else { continue }
                let schedule = schedules[index]
                let holds = Set(runner.holds(schedule.job, registry: schedule.registry))
                let before = startedNow.filter { !$0.holds.isDisjoint(with: holds) }.map(\.done)
                if before.isEmpty {
                    do {
                        let task = try await start(schedule, index: index)
                        startedNow.append((holds, Task { _ = await task.value }))
                    } catch {
                        logger.info("scheduled job not started: \(error)", metadata: ["job": "\(schedule.job.rawValue)"])
                    }
                } else {
                    // Due with another on the same registry: after it (skipped only if that
                    // registry is busy again by then).
                    let queued = Task { [self] in
                        for job in before { await job.value }
                        do {
                            _ = try await start(schedule, index: index).value
                        } catch {
                            logger.info("scheduled job not started: \(error)", metadata: ["job": "\(schedule.job.rawValue)"])
                        }
                    }
                    startedNow.append((holds, queued))
                }
                due[index] = Self.next(schedule, after: now, previous: time)
            }
        }
    }

    private func start(_ schedule: ScheduleConfig, index: Int) async throws -> Task<RunRecord?, Never> {
        try await runner.start(
            schedule.job, registry: schedule.registry, delete: schedule.job == .run && schedule.delete, trigger: "schedule \(index)")
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
