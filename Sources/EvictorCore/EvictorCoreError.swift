/// Errors of the engine's own values and rules, each one line a user can act on.
public enum EvictorCoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Text that is not `sha256:<64 hex>` or `sha512:<128 hex>`.
    case invalidDigest(String)
    /// Text that is not an image reference, and why.
    case invalidReference(String, reason: String)
    /// A file that could not be read or written.
    case cannotRead(String, reason: String)
    case cannotWrite(String, reason: String)
    /// An inventory file that is not what we wrote.
    case invalidInventory(String, reason: String)
    /// A plan file that is not what `evictor plan` wrote.
    case invalidPlan(String, reason: String)
    /// A journal that cannot be read or belongs to another plan.
    case invalidJournal(String, reason: String)
    /// A safety rail refused the plan (tiny inventory, too large a share deleted, ...).
    case refused(String)

    public var description: String {
        switch self {
        case .invalidDigest(let text):
            let shown = text.count > 80 ? String(text.prefix(80)) + "..." : text
            return "invalid digest '\(shown)': expected sha256:<64 lower-case hex digits>"
        case .cannotRead(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .cannotWrite(let path, let reason):
            return "\(path): cannot write: \(reason)"
        case .invalidInventory(let path, let reason):
            return "\(path): invalid inventory: \(reason)"
        case .invalidPlan(let path, let reason):
            return "\(path): invalid plan: \(reason)"
        case .invalidJournal(let path, let reason):
            return "\(path): invalid journal: \(reason)"
        case .refused(let reason):
            return "refused: \(reason)"
        case .invalidReference(let text, let reason):
            let shown = text.count > 120 ? String(text.prefix(120)) + "..." : text
            return
                "invalid image reference '\(shown.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : String($0) }.joined())': \(reason)"
        }
    }
}
