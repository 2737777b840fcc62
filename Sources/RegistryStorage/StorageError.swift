/// Problems reading or changing a registry's storage, one line naming the path.
public enum StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAStore(String, reason: String)
    case cannotRead(String, reason: String)
    case cannotWrite(String, reason: String)
    /// A fixer asked for something the engine refuses.
    case invalidAction(String)
    case notFound(String)
    /// A storage backend's request failed (its message names the endpoint, bucket and key).
    case backend(String)

    public var description: String {
        switch self {
        case .notAStore(let path, let reason):
            return "\(path): not a registry storage root: \(reason)"
        case .cannotRead(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .notFound(let what):
            return "\(what): not in the store"
        case .invalidAction(let text), .backend(let text):
            return text
        case .cannotWrite(let path, let reason):
            return "\(path): cannot change: \(reason)"
        }
    }
}
