import ArgumentParser
import EvictorEngine
import Foundation
import RegistryAPI

/// How to reach and authenticate to the registry; shared by every command that talks to one.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: "User name (the password comes from --password-stdin).")
    var username: String?

    @Flag(name: .long, help: "Read the password from standard input.")
    var passwordStdin = false

    @Flag(name: .long, help: "Use plain HTTP for a host[:port] registry.")
    var plainHTTP = false

    @Flag(name: .long, help: "Do not verify the registry's TLS certificate (prints a warning).")
    var insecure = false

    @Option(name: .long, help: "Trust the CA certificates in this PEM file.")
    var caFile: String?

    @Option(name: .long, help: "Requests in flight at once (default 8; check: 16).")
    var concurrency: Int?

    @Option(name: .long, help: "Start at most this many requests per second.")
    var rps: Double?

    @Option(name: .long, help: "Seconds before a request is abandoned and retried (default 30).")
    var timeout: Double?

    @Option(
        name: .customLong("give-up-after"),
        help: """
            Requests in a row failing after every retry before the registry counts as down \
            and the rest fail at once (default: 4 x concurrency, at least 32).
            """
    )
    var giveUpAfter: Int?

    /// These options as command-line words, for a command that another one tells the user to run.
    var arguments: [String] {
        var words: [String] = []
        if let username { words += ["--username", username] }
        if passwordStdin { words.append("--password-stdin") }
        if plainHTTP { words.append("--plain-http") }
        if insecure { words.append("--insecure") }
        if let caFile { words += ["--ca-file", caFile] }
        if let concurrency { words += ["--concurrency", String(concurrency)] }
        if let rps { words += ["--rps", String(rps)] }
        if let timeout { words += ["--timeout", String(timeout)] }
        if let giveUpAfter { words += ["--give-up-after", String(giveUpAfter)] }
        return words
    }

    /// Runs `body` with a client for `registry`, and shuts the client down whatever happens.
    func withClient<Result>(
        for registry: String, defaultConcurrency: Int = 8, _ body: (RegistryClient) async throws -> Result
    ) async throws -> Result {
        try await withClient(for: ResolvedRegistry(argument: registry), defaultConcurrency: defaultConcurrency, body)
    }

    /// Runs `body` with a client for `registry` (a config file's registry: its settings where
    /// no flag is given), and shuts the client down whatever happens.
    func withClient<Result>(
        for registry: ResolvedRegistry, defaultConcurrency: Int = 8, environment: [String: String] = ProcessInfo.processInfo.environment,
        _ body: (RegistryClient) async throws -> Result
    ) async throws -> Result {
        let client = try makeClient(for: registry, defaultConcurrency: defaultConcurrency, environment: environment)
        do {
            let result = try await RegistryEventLoop.run { try await body(client) }
            CommandLog.stats(client)
            await client.shutdown()
            return result
        } catch {
            CommandLog.stats(client)
            await client.shutdown()
            throw error
        }
    }

    /// A client for `registry` with credentials resolved (flags, environment, Docker config).
    func makeClient(for registry: String, defaultConcurrency: Int = 8) throws -> RegistryClient {
        try makeClient(for: ResolvedRegistry(argument: registry), defaultConcurrency: defaultConcurrency)
    }

    /// A client for `resolved`: flags first, then the config file's registry, then defaults.
    /// `environment` gives the credentials variables (`copy` hands its destination its own).
    func makeClient(
        for resolved: ResolvedRegistry, defaultConcurrency: Int = 8, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> RegistryClient {
        var password: String?
        if passwordStdin {
            guard username != nil else { throw ValidationError("--password-stdin needs --username") }
            password = readLine(strippingNewline: true) ?? ""
        }
        var configuration: RegistryClientConfiguration
        if let file = resolved.registry {
            let endpoint = try RegistryEndpoint(parsing: file.url, plainHTTP: plainHTTP)
            let given = try username.map { _ throws in
                try CredentialResolver(environment: environment).resolve(for: endpoint, username: username, password: password)
            }
            configuration = try file.clientConfiguration(environment: environment, plainHTTP: plainHTTP, credentials: given ?? nil)
            if file.tls.insecure && !insecure {
                CommandLog.warn("TLS certificate verification is off for \(endpoint.hostPort) (tls.insecure of registry \(file.name))")
            }
        } else {
            let endpoint = try RegistryEndpoint(parsing: resolved.location, plainHTTP: plainHTTP)
            configuration = RegistryClientConfiguration(
                endpoint: endpoint,
                credentials: try CredentialResolver(environment: environment).resolve(for: endpoint, username: username, password: password))
            configuration.concurrency = defaultConcurrency
            configuration.requestTimeout = RegistryConfig.defaultTimeout
        }
        if insecure {
            configuration.insecure = true
            CommandLog.warn("TLS certificate verification is off for \(configuration.endpoint.hostPort) (--insecure)")
        }
        if let caFile { configuration.caFile = caFile }
        if let concurrency {
            guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
            configuration.concurrency = concurrency
        }
        if let rps { configuration.requestsPerSecond = rps }
        if let timeout { configuration.requestTimeout = timeout }
        if let giveUpAfter {
            guard giveUpAfter >= 1 else { throw ValidationError("--give-up-after must be at least 1") }
            configuration.giveUpAfter = giveUpAfter
        }
        return try RegistryClient(configuration)
    }
}
