/// A registry's on-disk storage: its root directory, or its own `config.yml` to find it in.
public enum StorageConfig: Sendable, Equatable {
    /// The registry's configuration file (`storage.filesystem.rootdirectory` names the root).
    case config(String)
    /// The storage root directory itself (the one holding `docker/registry/v2`).
    case root(String)
}
