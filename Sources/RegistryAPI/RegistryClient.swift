import AsyncHTTPClient
import EvictorCore
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A Distribution / OCI registry client: auth, retries, per-registry concurrency and rate
/// limits, size caps, digest verification. One instance per registry; call `shutdown()`.
public final class RegistryClient: Sendable {
    public let configuration: RegistryClientConfiguration
    let http: HTTPClient
    /// Keep-alive connections for requests on the registry's own origin (`exchange`).
    let pool: HTTP1ConnectionPool
    let authenticator: RegistryAuthenticator
    let limiter: RequestLimiter
    let retry: RetryPolicy
    private let breaker: FailureBreaker
    private let requests = Atomic<Int>(0)
    /// `ProtocolProbe`'s finding, asked for at most once per client (concurrent requests
    /// that fail alike wait for the same probe).
    private let schemeDiagnosis = Mutex<Task<String?, Never>?>(nil)

    /// HTTP requests sent to the registry so far, every attempt counted (token requests are not).
    public var requestCount: Int { requests.load(ordering: .relaxed) }
    private let retries = Atomic<Int>(0)
    /// Requests sent again after a retryable answer or failure (part of `requestCount`).
    public var retryCount: Int { retries.load(ordering: .relaxed) }

    /// Connections opened to the registry's origin so far (kept alive between requests).
    public var connectionCount: Int { pool.connectionsOpened }

    /// The registry's name in messages.
    public var registry: String { configuration.endpoint.hostPort }

    public init(_ configuration: RegistryClientConfiguration) throws(RegistryAPIError) {
        self.configuration = configuration
        var httpConfiguration = HTTPClient.Configuration()
        var tlsConfiguration: TLSConfiguration?
        if configuration.endpoint.scheme == "https" {
            var tls = TLSConfiguration.makeClientConfiguration()
            if configuration.insecure { tls.certificateVerification = .none }
            if let caFile = configuration.caFile {
                guard FileManager.default.isReadableFile(atPath: caFile) else {
                    throw .invalidEndpoint(configuration.endpoint.hostPort, reason: "CA file \(caFile) is not readable")
                }
                tls.additionalTrustRoots = [.file(caFile)]
            }
            httpConfiguration.tlsConfiguration = tls
            tlsConfiguration = tls
        }
        do {
            self.pool = try HTTP1ConnectionPool(
                endpoint: configuration.endpoint, tls: tlsConfiguration, group: RegistryEventLoop.group,
                connectTimeout: .seconds(5), keepIdle: max(1, configuration.concurrency))
        } catch {
            let what = configuration.caFile.map { "CA file \($0) holds no usable PEM certificate" } ?? "the system's TLS trust roots cannot be loaded"
            throw .invalidEndpoint(configuration.endpoint.hostPort, reason: what)
        }
        httpConfiguration.timeout = .init(connect: .seconds(5), read: .milliseconds(Int64(max(1, configuration.requestTimeout) * 1000)))
        httpConfiguration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, configuration.concurrency))
        httpConfiguration.redirectConfiguration = .follow(max: 5, allowCycles: false)
        httpConfiguration.decompression = .disabled
        // No spans: with the default no-op tracer the client still built each request's span
        // attributes (5% of check's CPU).
        httpConfiguration.tracing.tracer = nil
        self.http = HTTPClient(eventLoopGroupProvider: .shared(RegistryEventLoop.group), configuration: httpConfiguration)
        self.authenticator = RegistryAuthenticator(
            registry: configuration.endpoint.hostPort, credentials: configuration.credentials, http: http,
            userAgent: configuration.userAgent, jsonLimit: configuration.jsonSizeLimit
        )
        self.limiter = RequestLimiter(concurrency: configuration.concurrency, requestsPerSecond: configuration.requestsPerSecond)
        self.retry = RetryPolicy(
            maxAttempts: max(1, configuration.maxAttempts), initialBackoff: configuration.initialBackoff, maxBackoff: configuration.maxBackoff)
        self.breaker = FailureBreaker(threshold: configuration.giveUpAfter ?? max(32, 4 * configuration.concurrency))
    }

    /// Closes connections. Call once when done.
    public func shutdown() async {
        pool.shutdown()
        try? await http.shutdown()
    }

    // MARK: - Requests

    /// Sends one request with auth, limits and retries. `path` starts with `/v2/` or is an
    /// absolute URL on the registry (a `Link` or `Location`). Statuses other than 401 and the
    /// retryable ones are returned for the caller to interpret. Once many requests in a row
    /// have given up (`FailureBreaker`), it fails at once with `registryDown`. `attempts`
    /// caps the attempts for a request that must not be repeated blindly (an upload chunk).
    func send(
        _ method: HTTPMethod, _ path: String, scope: AuthScope, what: String,
        headers extraHeaders: [(String, String)] = [], body: [UInt8]? = nil, bodyLimit: Int, attempts: Int? = nil
    ) async throws(RegistryAPIError) -> RegistryResponse {
        let url = path.hasPrefix("http://") || path.hasPrefix("https://") ? path : pool.origin + path
        if let down = breaker.tripped { throw down }
        do {
            let response = try await sendWithRetries(
                method, url, scope: scope, what: what, headers: extraHeaders, body: body, bodyLimit: bodyLimit,
                maxAttempts: max(1, min(attempts ?? retry.maxAttempts, retry.maxAttempts)))
            breaker.answered()
            return response
        } catch {
            switch error {
            case .serverError, .timeout, .unreachable:
                // A request cancelled by its caller did not give up on the registry.
                if !Task.isCancelled { breaker.gaveUp(error, registry: registry) }
            default:
                breaker.answered()
            }
            throw error
        }
    }

    /// `send` without the breaker: one request, its auth rounds and its retries.
    private func sendWithRetries(
        _ method: HTTPMethod, _ url: String, scope: AuthScope, what: String,
        headers extraHeaders: [(String, String)], body: [UInt8]?, bodyLimit: Int, maxAttempts: Int
    ) async throws(RegistryAPIError) -> RegistryResponse {
        var attempt = 0
        var authRounds = 0
        // Whether the registry itself answered 500 to an attempt: see `givingUp`.
        var answered500 = false
        /// The error for a request that failed every attempt. A 500 that any attempt got wins
        /// over the last attempt's failure: the registry fails on this request (Distribution does
        /// so for a stored manifest it cannot parse), and a 502, 503, 429, timeout or dropped
        /// connection in between is the way there, not the answer. Callers that treat a lasting
        /// 500 as one unreadable manifest then do so whichever failure came last.
        func givingUp(_ last: RegistryAPIError) -> RegistryAPIError {
            answered500 ? .serverError(registry: registry, what: what, status: 500, attempts: attempt) : last
        }
        while true {
            attempt += 1
            if attempt > 1 { retries.wrappingAdd(1, ordering: .relaxed) }
            var headers = HTTPHeaders()
            headers.add(name: "User-Agent", value: configuration.userAgent)
            for (name, value) in extraHeaders { headers.add(name: name, value: value) }
            if let authorization = authenticator.authorization(for: scope) {
                headers.add(name: "Authorization", value: authorization)
            }
            let outcome: Result<RegistryResponse, Error>
            await limiter.acquire()
            countRequest(retry: false)
            do {
                let response = try await exchange(method, url, headers: headers, body: body, limit: bodyLimit)
                outcome = .success(RegistryResponse(status: response.status.code, headers: response.headers, body: Array(buffer: response.body)))
            } catch is NIOTooManyBytesError {
                limiter.release()
                throw .bodyTooLarge(registry: registry, what: what, limit: bodyLimit)
            } catch {
                outcome = .failure(error)
            }
            limiter.release()

            switch outcome {
            case .success(let response) where response.status == 401:
                authRounds += 1
                guard authRounds <= 2 else {
                    throw .unauthorized(registry: registry, detail: "\(authenticator.describeUser()) was refused for \(what) (HTTP 401)")
                }
                try await authenticator.handleUnauthorized(header: response.header("WWW-Authenticate"), scope: scope)
                attempt -= 1
                continue
            case .success(let response) where RetryPolicy.isRetryable(status: response.status) && !Self.isLastingFailure(response):
                if response.status == 500 { answered500 = true }
                guard attempt < maxAttempts else {
                    throw givingUp(.serverError(registry: registry, what: what, status: Int(response.status), attempts: attempt))
                }
                try? await Task.sleep(for: .seconds(retry.delay(afterAttempt: attempt, retryAfter: response.header("Retry-After"))))
            case .success(let response) where Self.mayBeTLSAnswer(response, scheme: configuration.endpoint.scheme):
                if let detail = await diagnoseScheme() { throw .unreachable(registry: registry, detail: detail) }
                return response
            case .success(let response):
                return response
            case .failure(let error):
                let retrying = attempt < maxAttempts && !Task.isCancelled && !Self.isPermanent(error)
                if !Task.isCancelled, Self.mayBeWrongScheme(error, scheme: configuration.endpoint.scheme, lastAttempt: !retrying),
                    let detail = await diagnoseScheme()
                {
                    throw .unreachable(registry: registry, detail: detail)
                }
                guard retrying else {
                    if Self.isTimeout(error) { throw givingUp(.timeout(registry: registry, what: what, attempts: attempt)) }
                    throw givingUp(.unreachable(registry: registry, detail: Self.describe(error) + (attempt > 1 ? " (\(attempt) attempts)" : "")))
                }
                try? await Task.sleep(for: .seconds(retry.delay(afterAttempt: attempt, retryAfter: nil)))
            }
        }
    }

    /// What the registry's port really speaks, when a request failed as a wrong scheme fails
    /// (`ProtocolProbe`); probed once per client. Probe requests are not in `requestCount`.
    private func diagnoseScheme() async -> String? {
        let endpoint = configuration.endpoint
        let userAgent = configuration.userAgent
        let probe = schemeDiagnosis.withLock { current in
            if let current { return current }
            let started = Task { await ProtocolProbe.diagnose(endpoint, userAgent: userAgent) }
            current = started
            return started
        }
        return await probe.value
    }

    /// Counts one request sent (and, for a repeated one, one retry).
    func countRequest(retry: Bool) {
        requests.wrappingAdd(1, ordering: .relaxed)
        if retry { retries.wrappingAdd(1, ordering: .relaxed) }
    }

    /// Waits the backoff before attempt `attempt + 1` of something the caller retries itself.
    func pauseBeforeRetry(afterAttempt attempt: Int) async {
        try? await Task.sleep(for: .seconds(retry.delay(afterAttempt: attempt, retryAfter: nil)))
    }

    /// Maps the statuses every call treats alike to errors; returns the response otherwise.
    func expect(_ response: RegistryResponse, _ statuses: Set<UInt>, what: String) throws(RegistryAPIError) -> RegistryResponse {
        if statuses.contains(response.status) { return response }
        switch response.status {
        case 403: throw .denied(registry: registry, what: what)
        case 404: throw .notFound(registry: registry, what: what)
        case 405: throw .deletesDisabled(registry: registry)
        case 500...599: throw .serverError(registry: registry, what: what, status: Int(response.status), attempts: 1)
        default:
            throw .invalidResponse(registry: registry, what: what, detail: "unexpected HTTP \(response.status)\(Self.errorSummary(response.body))")
        }
    }

    /// Decodes a JSON body, with one readable line on failure.
    func decode<T: Decodable>(_ type: T.Type, from response: RegistryResponse, what: String) throws(RegistryAPIError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(response.body))
        } catch {
            throw .invalidResponse(registry: registry, what: what, detail: "body is not the expected JSON")
        }
    }

    /// Checks the `/v2/` endpoint: reachable, speaks the API, credentials accepted.
    public func ping() async throws(RegistryAPIError) {
        let response = try await send(.GET, "/v2/", scope: .none, what: "/v2/", bodyLimit: 1 << 20)
        _ = try expect(response, [200], what: "/v2/")
        if let version = response.header("Docker-Distribution-API-Version"), !version.hasPrefix("registry/2") {
            throw .invalidResponse(registry: registry, what: "/v2/", detail: "not a v2 registry (\(version))")
        }
    }

    static func errorSummary(_ body: [UInt8]) -> String {
        struct Errors: Decodable {
            struct Entry: Decodable {
                var code: String?
                var message: String?
            }
            var errors: [Entry]?
        }
        guard let decoded = try? JSONDecoder().decode(Errors.self, from: Data(body)), let first = decoded.errors?.first else { return "" }
        return ": " + [first.code, first.message].compactMap { $0 }.joined(separator: " ")
    }

    /// A 500 that says why, in a way that will not change: Distribution cannot parse the
    /// stored document (see `jsonSyntaxErrorOffset`). Retrying it only delays the report.
    static func isLastingFailure(_ response: RegistryResponse) -> Bool {
        response.status == 500 && jsonSyntaxErrorOffset(response.body) != nil
    }

    /// Failures that do not heal by retrying, told apart by the error's type, never its text:
    /// TLS failures (an untrusted certificate, a wrong host name, a port that does not speak
    /// TLS), an unknown host name, and a refused connection. For the last two the HTTP client
    /// has already kept trying to connect for its whole connect timeout (5 s) before
    /// reporting them, so five attempts took half a minute to say the registry is not there.
    static func isPermanent(_ error: Error) -> Bool {
        error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError || isConnectionRefused(error) || unknownHost(error) != nil
    }

    /// `ECONNREFUSED`: an `IOError` when connecting to an IP address, or every attempt of a
    /// host name's connection (`NIOConnectionError`, one per resolved address).
    static func isConnectionRefused(_ error: Error) -> Bool {
        if let error = error as? IOError { return error.errnoCode == ECONNREFUSED }
        if let error = error as? NIOConnectionError {
            return !error.connectionErrors.isEmpty && error.connectionErrors.allSatisfy { isConnectionRefused($0.error) }
        }
        return false
    }

    /// The host name that did not resolve: a `NIOConnectionError` whose DNS lookups failed with
    /// `SocketAddressError.UnknownHost` and that got no address to connect to. A temporary
    /// resolver failure (`EAI_AGAIN`) is not one: it may heal, so it is retried.
    static func unknownHost(_ error: Error) -> String? {
        guard let error = error as? NIOConnectionError, error.connectionErrors.isEmpty else { return nil }
        let lookups = [error.dnsAError, error.dnsAAAAError].compactMap { $0 }
        let unknown = lookups.compactMap { $0 as? SocketAddressError.UnknownHost }
        guard !unknown.isEmpty, unknown.count == lookups.count, !unknown.contains(where: { $0.errorCode == Int(EAI_AGAIN) }) else { return nil }
        return error.host
    }

    /// A failure a wrong scheme causes: a TLS handshake that did not work (HTTPS to a port
    /// that speaks plain HTTP, or an untrusted certificate), or, over plain HTTP, an answer
    /// that is not HTTP (a TLS server's alert) or, after the last attempt, a connection the
    /// server closed without answering (what OpenSSL-based servers do with a plain request;
    /// earlier attempts are the ordinary dropped connection). `ProtocolProbe` then tells which.
    static func mayBeWrongScheme(_ error: Error, scheme: String, lastAttempt: Bool) -> Bool {
        if scheme == "https" {
            if let error = error as? NIOSSLError, case .handshakeFailed = error { return true }
            return error is BoringSSLError
        }
        if error is HTTPParserError { return true }
        return lastAttempt && (error as? HTTPClientError) == .remoteConnectionClosed
    }

    /// Over plain HTTP, a bare 400 (no Distribution error body) is how a TLS server answers a
    /// plain request; a registry's own 400s carry an `errors` document.
    static func mayBeTLSAnswer(_ response: RegistryResponse, scheme: String) -> Bool {
        scheme == "http" && response.status == 400 && errorSummary(response.body).isEmpty
    }

    static func isTimeout(_ error: Error) -> Bool {
        if let error = error as? HTTPClientError {
            return error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout
        }
        return false
    }

    /// A short description of a transport error (no URLs with credentials exist in ours).
    static func describe(_ error: Error) -> String {
        if error is CancellationError { return "cancelled" }
        if let error = error as? HTTPClientError {
            if error == .connectTimeout { return "connection timed out" }
            if error == .readTimeout || error == .deadlineExceeded { return "timed out" }
            if error == .remoteConnectionClosed { return "connection closed by the server" }
        }
        if isConnectionRefused(error) { return "connection refused" }
        if let host = unknownHost(error) { return "unknown host \(host) (DNS lookup failed)" }
        if let error = error as? NIOConnectionError, error.connectionErrors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil {
            return "DNS lookup of \(error.host) failed"
        }
        // BoringSSL's error stacks name source files and lines: not for users.
        if let error = error as? NIOSSLError, case .handshakeFailed = error { return "TLS handshake failed" }
        if error is BoringSSLError { return "TLS handshake failed" }
        if error is HTTPParserError { return "the answer is not HTTP" }
        let text = "\(error)"
        if error is NIOSSLError || error is NIOSSLExtraError { return "TLS error: \(text.prefix(200))" }
        return text.count > 200 ? String(text.prefix(200)) : text
    }
}
