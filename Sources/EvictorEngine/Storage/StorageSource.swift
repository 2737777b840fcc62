import EvictorCore
import Foundation
import ObjectStorage
import RegistryStorage

/// Which store a `storage` command works on: a storage root on disk, or whatever the registry's
/// own configuration file names (`storage.filesystem` or `storage.s3`).
public enum StorageSource: Sendable, Equatable, CustomStringConvertible {
    case root(String)
    case registryConfig(String)

    /// Opens the store: the layout over the right driver. Errors name the file, the bucket or
    /// the endpoint, never a secret.
    public func layout(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> StorageLayout {
        switch self {
        case .root(let root):
            return try StorageLayout(root: root)
        case .registryConfig(let file):
            switch try RegistryStorageSettings.location(inRegistryConfig: file) {
            case .filesystem(let root):
                return try StorageLayout(root: root)
            case .s3(let settings):
                let client = S3Client(try settings.configuration(environment: environment, file: file))
                return try StorageLayout(driver: S3StorageDriver(client: client), root: settings.rootDirectory)
            }
        }
    }

    /// The store an Evictor config file's `storage` names, checked without contacting anything:
    /// the registry's configuration file is read and, for s3, its endpoint, bucket and
    /// credentials resolved, so broken settings stop a plan or run before it starts.
    public init(checking configured: StorageConfig, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) {
        switch configured {
        case .root(let root):
            self = .root(root)
        case .config(let file):
            if case .s3(let settings) = try RegistryStorageSettings.location(inRegistryConfig: file) {
                do {
                    _ = try settings.configuration(environment: environment, file: file)
                } catch let error as ConfigError {
                    throw error
                } catch {
                    throw .invalidValue(file: file, path: "storage.s3", reason: "\(error)")
                }
            }
            self = .registryConfig(file)
        }
    }

    /// The root or the config file, for reports and messages.
    public var description: String {
        switch self {
        case .root(let root): return root
        case .registryConfig(let file): return file
        }
    }

    /// The flag that names this store again (`--root R` or `--config F`), for printed hints.
    public var flag: String {
        switch self {
        case .root(let root): return "--root \(root)"
        case .registryConfig(let file): return "--config \(file)"
        }
    }
}
