/// Where an operator put a quarantine: on the store's own storage (a directory beside a store
/// on disk, a key prefix in a store's bucket), or in a directory on local disk whatever the
/// store. `fix`, `rm` and `revert` must be given the same one.
public enum QuarantineLocation: Sendable, Equatable, CustomStringConvertible {
    /// A directory (store on disk) or a key prefix in the same bucket (store on S3).
    case inStore(String)
    /// A directory on local disk.
    case localDirectory(String)

    /// The quarantine over `layout`'s store.
    public func quarantine(layout: StorageLayout) throws(StorageError) -> Quarantine {
        switch self {
        case .inStore(let directory): return Quarantine(directory: directory, layout: layout)
        case .localDirectory(let directory): return try Quarantine(localDirectory: directory, layout: layout)
        }
    }

    /// The directory or prefix as given.
    public var description: String {
        switch self {
        case .inStore(let path), .localDirectory(let path): return path
        }
    }
}
