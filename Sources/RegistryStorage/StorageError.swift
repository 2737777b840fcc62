/// Problems reading or changing a registry's storage, one line naming the path.
public enum StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAStore(String, reason: String)
    case cannotRead(String, reason: String)
    case cannotWrite(String, reason: String)

    public var description: String {
        switch self {
        case .notAStore(let path, let reason):
            return "\(path): not a registry storage root: \(reason)"
        case .cannotRead(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .cannotWrite(let path, let reason):
            return "\(path): cannot change: \(reason)"
        }
    }
}
