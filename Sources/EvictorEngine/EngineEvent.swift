import LuaRuntime

/// What a use case tells its caller while it runs: progress, warnings and what plugins log.
/// The engine never prints; the CLI shows these on stderr, a server could log or stream them.
public enum EngineEvent: Sendable, Equatable {
    /// A policy, source or fixer (`plugin`: its file or name) logged `message`.
    case pluginLog(plugin: String, level: LuaLogLevel, message: String)
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

/// A plugin's log handler that sends what `plugin` logs as events.
func pluginLogHandler(_ events: @escaping EngineEvents, plugin: String) -> LuaLogHandler {
    { level, message in events(.pluginLog(plugin: plugin, level: level, message: message)) }
}
