/// One entry of `schedules`: a job, what it runs against, and when.
public struct ScheduleConfig: Sendable, Equatable {
    public enum Job: String, Sendable, Equatable, CaseIterable {
        case inventory, check, plan, run
        case storageScan = "storage-scan"
    }

    /// `cron` or `every`, exactly one.
    public enum Trigger: Sendable, Equatable {
        case cron(CronExpression)
        case every(ConfigDuration)
    }

    public var job: Job
    /// The registry it runs against (nil: every registry; `inventory` takes none).
    public var registry: String?
    public var trigger: Trigger
    /// `run` only: delete (otherwise a run plans and reports, a dry run).
    public var delete: Bool
}

extension EvictorConfig {
    /// Whether `serve` may delete on registry `name`: some `run` schedule for it (or for every
    /// registry) says `delete: true`. The scheduler and the job API obey the same rule.
    public func deletesAllowed(on name: String) -> Bool {
        schedules.contains { $0.job == .run && $0.delete && ($0.registry == nil || $0.registry == name) }
    }
}
