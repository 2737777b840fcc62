/// Errors of the use cases themselves (the layers below bring their own), one line each.
public enum EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Something the use case needs was not given, and how to give it.
    case missingInput(String)
    /// The settings contradict each other or name something that does not exist.
    case invalidSettings(String)

    public var description: String {
        switch self {
        case .missingInput(let text), .invalidSettings(let text): return text
        }
    }
}
