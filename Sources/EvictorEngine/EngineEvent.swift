/// What a use case tells its caller while it runs: progress and warnings. The engine never
/// prints; the CLI shows these on stderr, a server could log or stream them.
public enum EngineEvent: Sendable, Equatable {
    /// `done` of `total` steps of the phase `phase` (plan, check, apply, ...).
    case progress(phase: String, done: Int, total: Int)
    /// Something the operator should know that does not stop the run.
    case warning(String)
}

/// Where a use case sends its events.
public typealias EngineEvents = @Sendable (EngineEvent) -> Void

/// The `progress` callback of the lower layers, for `phase`.
func progressReporter(_ events: @escaping EngineEvents, phase: String) -> @Sendable (Int, Int) -> Void {
    { done, total in events(.progress(phase: phase, done: done, total: total)) }
}
