import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOSSL

/// Finds out what a registry's port really speaks when a request failed the way a wrong
/// scheme fails (a TLS handshake that did not work, or a plain-HTTP request answered with a
/// bare 400 or bytes that are not HTTP). It asks `/v2/` again, over plain HTTP and over TLS
/// without certificate verification, and only a registry's answer counts: 200 or 401, the
/// only statuses `/v2/` gives. So a TLS server's "400 Client sent an HTTP request to an HTTPS
/// server" is not taken for a plain-HTTP registry. The decision rests on which probe got a
/// registry's answer, never on an error's text.
enum ProtocolProbe {
    /// What went wrong with `endpoint`, as `unreachable`'s detail, or nil when no probe got a
    /// registry's answer (then the original error stands).
    static func diagnose(_ endpoint: RegistryEndpoint, userAgent: String) async -> String? {
        let hostPort = endpoint.hostPort
        if endpoint.scheme == "https" {
            if await registryAnswers("http://\(hostPort)/v2/", userAgent: userAgent) {
                return "the registry answered plain HTTP, not HTTPS: use http://\(hostPort) (or --plain-http)"
            }
            if await registryAnswers("https://\(hostPort)/v2/", userAgent: userAgent) {
                return untrustedCertificate
            }
            return nil
        }
        if await registryAnswers("https://\(hostPort)/v2/", userAgent: userAgent) {
            return "the registry speaks HTTPS, not plain HTTP: use https://\(hostPort) or \(hostPort) (without --plain-http)"
        }
        return nil
    }

    /// The detail for a TLS handshake that works once certificates are not verified.
    static let untrustedCertificate = "TLS certificate not trusted (use --ca-file, or --insecure to skip verification)"

    /// Whether `url` (a `/v2/` URL) gets a registry's answer. One connection attempt (the
    /// pool does not retry it), certificates not verified, no redirects, 5 s in all.
    static func registryAnswers(_ url: String, userAgent: String) async -> Bool {
        var configuration = HTTPClient.Configuration()
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        configuration.tlsConfiguration = tls
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(3), read: .seconds(5))
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let answered: Bool
        do {
            let request = try HTTPClient.Request(url: url, method: .GET, headers: ["User-Agent": userAgent])
            let response = try await client.executeWhole(request, within: 5, limit: 1 << 16)
            answered = response.status == .ok || response.status == .unauthorized
        } catch {
            answered = false
        }
        try? await client.shutdown()
        return answered
    }
}
