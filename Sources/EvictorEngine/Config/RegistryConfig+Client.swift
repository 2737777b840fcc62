import RegistryAPI

extension RegistryConfig {
    /// How a client reaches this registry: its URL, credentials (resolved now from the
    /// environment or files; without `credentials`, as Docker's config.json gives them), TLS,
    /// concurrency, request rate and timeout. `credentials` replaces the file's when given.
    public func clientConfiguration(
        environment: [String: String], plainHTTP: Bool = false, credentials given: RegistryCredentials? = nil
    ) throws -> RegistryClientConfiguration {
        let endpoint = try RegistryEndpoint(parsing: url, plainHTTP: plainHTTP)
        let resolved: RegistryCredentials?
        if let given {
            resolved = given
        } else if let credentials {
            resolved = try ConfigCredentials.resolve(credentials, registry: name, endpoint: endpoint, environment: environment)
        } else {
            resolved = try CredentialResolver(environment: environment).resolve(for: endpoint, username: nil, password: nil)
        }
        var configuration = RegistryClientConfiguration(endpoint: endpoint, credentials: resolved)
        configuration.insecure = tls.insecure
        configuration.caFile = tls.caFile
        configuration.concurrency = concurrency
        configuration.requestsPerSecond = requestsPerSecond
        configuration.requestTimeout = timeout
        return configuration
    }
}
