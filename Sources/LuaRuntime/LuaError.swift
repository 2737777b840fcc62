/// Everything that can go wrong running Lua, as one line a user can act on.
public enum LuaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A chunk did not compile: where, and Lua's message.
    case syntax(chunk: String, line: Int?, message: String)
    /// Lua code raised an error: the message (with file:line) and the stack traceback.
    case runtime(message: String, traceback: String)
    /// The VM's memory cap was reached.
    case outOfMemory(limit: Int, location: String)
    /// The instruction budget or the time limit of one call was used up.
    case budgetExceeded(detail: String, location: String)
    /// The call was cancelled (task cancellation).
    case cancelled(location: String)
    /// A value could not cross the boundary (cyclic or too deep table, unsupported type).
    case invalidValue(message: String, location: String)
    /// A chunk file could not be read.
    case cannotRead(path: String, reason: String)
    /// The VM could not be set up (allocation failure, bad sandbox configuration).
    case setupFailed(String)

    public var description: String {
        switch self {
        case .syntax(let chunk, let line, let message):
            if let line { return "\(chunk):\(line): syntax error: \(message)" }
            return "\(chunk): syntax error: \(message)"
        case .runtime(let message, _):
            return message
        case .outOfMemory(let limit, let location):
            return Self.located(location, "memory limit of \(limit) bytes exceeded")
        case .budgetExceeded(let detail, let location):
            return Self.located(location, "\(detail) exceeded")
        case .cancelled(let location):
            return Self.located(location, "cancelled")
        case .invalidValue(let message, let location):
            return Self.located(location, message)
        case .cannotRead(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .setupFailed(let reason):
            return "Lua setup failed: \(reason)"
        }
    }

    private static func located(_ location: String, _ text: String) -> String {
        location.isEmpty ? text : "\(location): \(text)"
    }
}
