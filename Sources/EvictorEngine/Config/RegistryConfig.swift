/// One registry of `registries`: where it is, how to log in, how hard to push it, and what
/// to evict from it.
public struct RegistryConfig: Sendable, Equatable {
    /// Unique among the file's registries; schedules name it.
    public var name: String
    /// `host[:port]` or an `http(s)://` URL.
    public var url: String
    /// nil: anonymous (or whatever Docker's default config.json gives later).
    public var credentials: RegistryCredentialsConfig?
    /// Other host names the inventory may use for this registry.
    public var aliases: [String]
    public var tls: TLSConfig
    /// Requests in flight at once (default 8).
    public var concurrency: Int
    /// nil: no limit.
    public var requestsPerSecond: Double?
    /// Seconds for one whole request (default 30).
    public var timeout: Double
    public var policies: [PolicyConfig]
    public var storage: StorageConfig?
    /// Where `serve` takes the registry's notifications (nil: it does not).
    public var notifications: NotificationsConfig?

    public static let defaultConcurrency = 8
    public static let defaultTimeout: Double = 30
}
