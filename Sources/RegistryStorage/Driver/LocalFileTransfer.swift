/// A driver whose files can be copied to and from local disk as streams, never whole in memory
/// (blobs can be gigabytes): what a quarantine in a local directory needs of a store kept
/// elsewhere (an S3 bucket).
public protocol LocalFileTransfer: StorageDriver {
    /// Copies the file at `path` into the local file `file` (created or replaced, fsynced), or
    /// with `file` nil only measures and hashes it; nil when there is no file at `path`. Bytes
    /// that do not match what the backend says it holds throw.
    func download(_ path: String, to file: String?) throws(StorageError) -> TransferredFile?
    /// Stores the local file `file` at `path`, replacing what is there.
    func upload(_ file: String, to path: String) throws(StorageError)
    /// Removes the one file at `path` (nothing there is not an error).
    func deleteFile(_ path: String) throws(StorageError)
}

/// What a transfer copied.
public struct TransferredFile: Sendable, Equatable {
    public var size: Int64
    /// Hex sha256 of the bytes.
    public var sha256: String

    public init(size: Int64, sha256: String) {
        self.size = size
        self.sha256 = sha256
    }
}
