import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Answers a registry's auth challenges: Basic with the credentials, or Bearer tokens fetched
/// from the challenge's realm per scope, cached until shortly before they expire and renewed
/// when the registry answers 401. What every request needs (the header, if one is known) is
/// read without a hop onto the actor.
actor RegistryAuthenticator {
    /// What `authorization(for:)` reads: the challenge's scheme and the cached tokens by scope.
    private struct Known {
        var scheme: AuthChallenge.Scheme?
        var tokens: [String: (token: String, expires: ContinuousClock.Instant)] = [:]
    }

    private let registry: String
    private let credentials: RegistryCredentials?
    private let http: HTTPClient
    private let userAgent: String
    private let jsonLimit: Int
    private var challenge: AuthChallenge?
    private let known = Mutex(Known())
    /// The Basic header for the credentials (nil without credentials).
    private let basic: String?

    init(registry: String, credentials: RegistryCredentials?, http: HTTPClient, userAgent: String, jsonLimit: Int) {
        self.registry = registry
        self.credentials = credentials
        self.http = http
        self.userAgent = userAgent
        self.jsonLimit = jsonLimit
        basic = credentials.map { "Basic " + Data("\($0.username):\($0.password)".utf8).base64EncodedString() }
    }

    /// The Authorization header for a request needing `scope`, if one is known already.
    nonisolated func authorization(for scope: AuthScope) -> String? {
        known.withLock { known in
            switch known.scheme {
            case .basic:
                return basic
            case .bearer:
                guard let cached = known.tokens[scope.value], cached.expires > .now else { return nil }
                return "Bearer \(cached.token)"
            case nil:
                return nil
            }
        }
    }

    /// Handles a 401: learns the challenge and gets what is needed to try again (a fresh
    /// token for the scope). Throws `unauthorized` when there is no way to satisfy it.
    func handleUnauthorized(header: String?, scope: AuthScope) async throws(RegistryAPIError) {
        guard let header, let parsed = AuthChallenge(header: header) else {
            throw .unauthorized(registry: registry, detail: "HTTP 401 without a supported WWW-Authenticate challenge")
        }
        challenge = parsed
        known.withLock { $0.scheme = parsed.scheme }
        switch parsed.scheme {
        case .basic:
            guard credentials != nil else {
                throw .unauthorized(registry: registry, detail: "the registry requires a user name and password (HTTP 401)")
            }
        case .bearer:
            known.withLock { _ = $0.tokens.removeValue(forKey: scope.value) }
            try await fetchToken(challenge: parsed, scope: scope)
        }
    }

    /// Who we tried to be, for messages (never the secret).
    nonisolated func describeUser() -> String {
        guard let credentials else { return "anonymous access" }
        return credentials.identityToken != nil
            ? "the identity token (from \(credentials.source))" : "user '\(credentials.username)' (from \(credentials.source))"
    }

    private func fetchToken(challenge: AuthChallenge, scope: AuthScope) async throws(RegistryAPIError) {
        guard let realm = challenge.realm, var components = URLComponents(string: realm),
            components.scheme == "https" || components.scheme == "http"
        else { throw .unauthorized(registry: registry, detail: "bearer challenge without a usable realm") }
        // The challenge's own scope can be wider (it names the resource); prefer what we need.
        let wanted = scope.value.isEmpty ? (challenge.scope ?? "") : scope.value
        var url = realm
        var method = HTTPMethod.GET
        var headers: HTTPHeaders = ["User-Agent": userAgent]
        var form: ByteBuffer?
        if let refresh = credentials?.identityToken {
            method = .POST
            var query = URLComponents()
            query.queryItems = [
                URLQueryItem(name: "grant_type", value: "refresh_token"),
                URLQueryItem(name: "refresh_token", value: refresh),
                URLQueryItem(name: "client_id", value: userAgent),
            ]
            if let service = challenge.service { query.queryItems?.append(URLQueryItem(name: "service", value: service)) }
            if !wanted.isEmpty { query.queryItems?.append(URLQueryItem(name: "scope", value: wanted)) }
            headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            form = ByteBuffer(string: query.percentEncodedQuery ?? "")
        } else {
            var items = components.queryItems ?? []
            if let service = challenge.service { items.append(URLQueryItem(name: "service", value: service)) }
            if !wanted.isEmpty { items.append(URLQueryItem(name: "scope", value: wanted)) }
            if let credentials { items.append(URLQueryItem(name: "account", value: credentials.username)) }
            components.queryItems = items
            guard let withQuery = components.string else { throw .unauthorized(registry: registry, detail: "bad token realm") }
            url = withQuery
            if let basic { headers.add(name: "Authorization", value: basic) }
        }
        let realmHost = components.host ?? "token service"
        let status: UInt
        let body: ByteBuffer
        do {
            let request = try HTTPClient.Request(url: url, method: method, headers: headers, body: form.map { .byteBuffer($0) })
            let response = try await http.executeWhole(request, within: 30, limit: jsonLimit)
            status = response.status.code
            body = response.body
        } catch is NIOTooManyBytesError {
            throw .unauthorized(registry: registry, detail: "token service \(realmHost) answered more than \(jsonLimit) bytes, refused")
        } catch {
            throw .unauthorized(registry: registry, detail: "token service \(realmHost) unreachable: \(RegistryClient.describe(error))")
        }
        guard status == 200 else {
            if status == 401 || status == 403 {
                throw .unauthorized(registry: registry, detail: "token service \(realmHost) refused \(describeUser()) (HTTP \(status))")
            }
            throw .unauthorized(registry: registry, detail: "token service \(realmHost) answered HTTP \(status)")
        }
        struct TokenAnswer: Decodable {
            var token: String?
            var access_token: String?
            var expires_in: Int?
        }
        guard let answer = try? JSONDecoder().decode(TokenAnswer.self, from: Data(Array(buffer: body))),
            let token = answer.token ?? answer.access_token, !token.isEmpty
        else { throw .unauthorized(registry: registry, detail: "token service \(realmHost) returned no token") }
        // A token goes into a header line: visible ASCII only (no CR LF smuggling a header in).
        guard token.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .unauthorized(registry: registry, detail: "token service \(realmHost) returned a token with characters a header cannot carry")
        }
        let lifetime = max(10, answer.expires_in ?? 60)
        known.withLock { $0.tokens[scope.value] = (token, .now + .seconds(lifetime - 5)) }
    }
}
