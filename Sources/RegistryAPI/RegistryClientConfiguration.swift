/// How a `RegistryClient` connects, authenticates, limits and retries.
public struct RegistryClientConfiguration: Sendable {
    public var endpoint: RegistryEndpoint
    public var credentials: RegistryCredentials?
    /// Skip TLS certificate verification (the CLI warns).
    public var insecure = false
    /// Extra trusted CA certificates (PEM file).
    public var caFile: String?
    /// Requests in flight at once to this registry.
    public var concurrency = 8
    /// Requests started per second at most; nil for no limit.
    public var requestsPerSecond: Double?
    /// Seconds before one request is abandoned (and retried).
    public var requestTimeout: Double = 30
    /// Attempts per request for connection errors, 429, 502, 503 and 504.
    public var maxAttempts = 5
    /// Requests in a row that may give up after all their attempts, with no answer between,
    /// before the registry is taken to be down and the rest fail at once (nil: four times the
    /// concurrency, at least 32).
    public var giveUpAfter: Int?
    /// First backoff delay in seconds; doubles each attempt, with jitter, up to `maxBackoff`.
    public var initialBackoff: Double = 0.2
    public var maxBackoff: Double = 10
    /// Largest manifest body accepted (4 MiB, as Distribution's own limit).
    public var manifestSizeLimit = 4 << 20
    /// Largest JSON body accepted for catalog, tags and token answers.
    public var jsonSizeLimit = 64 << 20
    /// Sent as User-Agent.
    public var userAgent = "evictor"

    public init(endpoint: RegistryEndpoint, credentials: RegistryCredentials? = nil) {
        self.endpoint = endpoint
        self.credentials = credentials
    }
}
