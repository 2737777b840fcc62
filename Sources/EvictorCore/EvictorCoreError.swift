/// Errors of the engine's own values and rules, each one line a user can act on.
public enum EvictorCoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Text that is not `sha256:<64 hex>` or `sha512:<128 hex>`.
    case invalidDigest(String)

    public var description: String {
        switch self {
        case .invalidDigest(let text):
            let shown = text.count > 80 ? String(text.prefix(80)) + "..." : text
            return "invalid digest '\(shown)': expected sha256:<64 lower-case hex digits>"
        }
    }
}
