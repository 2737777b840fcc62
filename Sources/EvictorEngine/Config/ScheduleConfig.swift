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
