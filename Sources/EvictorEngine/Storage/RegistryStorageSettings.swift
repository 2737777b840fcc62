import Foundation
import Yams

/// The `storage` section of a registry's own configuration file (Distribution's
/// `config.yml`), as far as Evictor reads it: a filesystem store's root, or an s3 bucket.
public enum RegistryStorageSettings {
    /// Where a registry keeps its store, as its configuration file says.
    public enum Location: Sendable, Equatable {
        case filesystem(String)
        case s3(RegistryS3Settings)
    }

    /// The `storage` section of the registry configuration `file`: a filesystem root or an s3
    /// bucket. Errors name the file and the key, never a value.
    public static func location(inRegistryConfig file: String) throws(ConfigError) -> Location {
        let storage = try storageSection(file)
        if let s3 = storage["s3"] { return .s3(try RegistryS3Settings(s3, file: file)) }
        return .filesystem(try rootDirectory(inRegistryConfig: file))
    }

    private static func storageSection(_ file: String) throws(ConfigError) -> Node.Mapping {
        guard let data = FileManager.default.contents(atPath: file) else {
            let reason = FileManager.default.fileExists(atPath: file) ? "not readable" : "no such file"
            throw .unreadable(file: file, reason: reason)
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: String(decoding: data, as: UTF8.self))
        } catch {
            throw .invalidYAML(file: file, reason: "not a registry configuration file")
        }
        guard let storage = node?.mapping?["storage"]?.mapping else { throw .missingKey(file: file, path: "storage") }
        return storage
    }

    /// `storage.filesystem.rootdirectory` of the registry configuration `file`. Errors name the
    /// file and the key; the file's other values (secrets among them) are never repeated.
    static func rootDirectory(inRegistryConfig file: String) throws(ConfigError) -> String {
        let storage = try storageSection(file)
        guard let filesystem = storage["filesystem"] else {
            let drivers = storage.keys.compactMap(\.string).filter { !["cache", "delete", "maintenance", "redirect", "tag"].contains($0) }
            throw .invalidValue(
                file: file, path: "storage",
                reason: "driver \(drivers.first ?? "(none)") is not supported: only the filesystem driver's storage can be read")
        }
        // Distribution's default root when `filesystem` gives none.
        guard let root = filesystem.mapping?["rootdirectory"] else { return "/var/lib/registry" }
        guard let text = root.string, !text.isEmpty else {
            throw .wrongType(file: file, path: "storage.filesystem.rootdirectory", expected: "a directory", got: "a non-text value")
        }
        return text
    }
}
