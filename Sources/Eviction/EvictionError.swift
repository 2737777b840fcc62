import EvictorCore
import RegistryAPI
import RegistryStorage

/// Errors of snapshots, apply and restore, one line each.
public enum EvictionError: Error, Sendable, CustomStringConvertible {
    case registry(RegistryAPIError)
    case storage(StorageError)
    case core(EvictorCoreError)
    /// The plan or journal does not fit this run (another registry or plan).
    case mismatch(String)

    public var description: String {
        switch self {
        case .registry(let error): return error.description
        case .storage(let error): return error.description
        case .core(let error): return error.description
        case .mismatch(let text): return text
        }
    }
}
