/// Where a registry's files live, as the layout, scanner, collector and quarantine see them:
/// a local directory tree or an object store. Paths are in the driver's own namespace (absolute
/// paths on disk, object keys in a bucket) and use `/` between components; a "directory" is
/// every path that has more below it. Reads that fail for any reason other than "not there"
/// throw: a listing or read that fails must never make an object look unreferenced.
public protocol StorageDriver: Sendable {
    /// Where the driver works, for messages (a directory, or `s3://bucket`); never a secret.
    var location: String { get }
    /// How many calls a walk runs at once (0: as many as the machine has cores).
    var parallelism: Int { get }
    /// Whether one `walk` of a subtree costs less than listing its directories one by one: on
    /// an object store a listing answers up to 1,000 keys at any depth per request, on disk
    /// every directory is one call either way.
    var prefersWalks: Bool { get }
    /// Names directly under `path`, files and directories; empty when there is nothing.
    func list(_ path: String) throws(StorageError) -> [String]
    /// Names of the directories directly under `path`.
    func listDirectories(_ path: String) throws(StorageError) -> [String]
    /// Every file below `path` at any depth, relative to it, with its size.
    func walk(_ path: String) throws(StorageError) -> [StoredFile]
    /// The files of `walk(path)` whose relative path starts with `namePrefix`: a slice of a
    /// large directory (`blobs/sha256` by first hex digit) that an object store lists alone.
    func walk(_ path: String, namePrefix: String) throws(StorageError) -> [StoredFile]
    /// The whole file; nil when there is none or it is larger than `limit`.
    func read(_ path: String, limit: Int) throws(StorageError) -> [UInt8]?
    /// The size of the file at `path`; nil when there is none.
    func size(_ path: String) throws(StorageError) -> Int64?
    /// Whether a file or a directory is at `path`.
    func exists(_ path: String) throws(StorageError) -> Bool
    /// Whether `path` is a directory (has something below it).
    func isDirectory(_ path: String) throws(StorageError) -> Bool
    /// Writes a small file whole (links, records), creating its parents.
    func write(_ path: String, _ bytes: [UInt8]) throws(StorageError)
    /// Appends to a record file and returns once the bytes are stored durably.
    func append(_ bytes: [UInt8], to path: String) throws(StorageError)
    /// Moves a file or a whole directory to `destination`, creating its parents.
    func move(_ source: String, to destination: String) throws(StorageError)
    /// Removes a file or a whole directory; nothing there is not an error.
    func delete(_ path: String) throws(StorageError)
    /// Reserves a new directory at `base` or the first free `base-NNN`; returns its path.
    func makeUniqueDirectory(_ base: String) throws(StorageError) -> String
}

extension StorageDriver {
    public var prefersWalks: Bool { false }

    public func walk(_ path: String, namePrefix: String) throws(StorageError) -> [StoredFile] {
        try walk(path).filter { $0.path.hasPrefix(namePrefix) }
    }
}

/// One file found by `StorageDriver.walk`.
public struct StoredFile: Sendable, Hashable {
    /// Relative to the walked path.
    public var path: String
    public var size: Int64
    /// The object store's `ETag` for it (unquoted, lowercase), when the listing gave one: see
    /// `ContentETag`. Nil on disk.
    public var etag: String?

    public init(path: String, size: Int64, etag: String? = nil) {
        self.path = path
        self.size = size
        self.etag = etag
    }
}
