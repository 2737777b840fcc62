/// A whole `evictor.yaml` (`version: 1`), after interpolation and validation.
public struct EvictorConfig: Sendable, Equatable {
    /// The only version this evictor reads.
    public static let currentVersion = 1

    public var version: Int
    /// The registries, names unique.
    public var registries: [RegistryConfig]
    /// Where the in-use images come from; nil when the file has no `inventory`.
    public var inventory: InventoryConfig?
    public var safety: SafetyConfig
    public var state: StateConfig
    public var schedules: [ScheduleConfig]
    /// `evictor serve`'s settings (defaults when the file has no `serve`).
    public var serve = ServeConfig()
    /// `plugins.path`: plugin directories or repositories (relative ones from the config file's
    /// directory), bottom layer first, above the built-ins and below `EVICTOR_PLUGIN_PATH` and
    /// `--plugin-path`.
    public var pluginDirectories: [String] = []
    /// Key paths (`registries[0].credentials.password`) whose values are secrets: shown as `***`.
    public var secretPaths: Set<String>

    /// The registry named `name`.
    public func registry(named name: String) -> RegistryConfig? {
        registries.first { $0.name == name }
    }
}
