/// Severity of a message a script logs (`print` logs at `info`).
public enum LuaLogLevel: String, Sendable, CaseIterable {
    case debug, info, warning, error
}

/// Receives what scripts log: level, message.
public typealias LuaLogHandler = @Sendable (LuaLogLevel, String) -> Void
