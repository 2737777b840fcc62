import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// A bearer-token server for tests: the `auth.token` realm a Distribution registry sends clients to.
///
/// It listens on `127.0.0.1` (free port, HTTP/1.1), answers `GET /token?service=S&scope=...`
/// for known users (HTTP Basic auth) and grants every action each requested scope asks for.
/// Tokens are ES256 JWTs signed with a fresh key whose self-signed certificate is written to
/// a temporary directory; `tokenAuthOptions` points the registry at that certificate.
public final class TokenIssuer: Sendable {
    /// The port the token server listens on.
    public let port: Int
    /// `evictor-test` unless given: the `service` (JWT `aud`) the registry expects.
    public let service: String
    /// `evictor-test-issuer` unless given: the JWT `iss` the registry trusts.
    public let issuer: String
    /// The temporary directory holding the key and certificate.
    public let workDirectory: URL
    /// The PEM certificate of the signing key (the registry's `rootcertbundle`).
    public let certificateFile: URL

    private let authority: TokenAuthority
    private let server: LocalHTTPServer

    /// `http://127.0.0.1:PORT/token`.
    public var realm: String { "http://127.0.0.1:\(port)/token" }

    /// The registry's side: realm, service, issuer and the certificate that verifies the tokens.
    public var tokenAuthOptions: TokenAuthOptions {
        TokenAuthOptions(realm: realm, service: service, issuer: issuer, rootCertBundle: certificateFile.path)
    }

    /// Every `scope` value of every token request so far (authenticated or not), in arrival order.
    public var requestedScopes: [String] { authority.record.withLock { $0.scopes } }

    /// How many requests reached `/token` (authenticated or not).
    public var tokenRequestCount: Int { authority.record.withLock { $0.requests } }

    /// How many tokens were handed out.
    public var issuedTokenCount: Int { authority.record.withLock { $0.issued } }

    /// Every token issued so far.
    public var issuedTokens: [String] { authority.record.withLock { $0.tokens } }

    private init(workDirectory: URL, certificateFile: URL, authority: TokenAuthority, server: LocalHTTPServer) {
        self.port = server.port
        self.service = authority.service
        self.issuer = authority.issuer
        self.workDirectory = workDirectory
        self.certificateFile = certificateFile
        self.authority = authority
        self.server = server
    }

    /// Starts an HTTP token server on 127.0.0.1 (free port, NIO, HTTP/1.1) with these users
    /// (name -> password). Generates the signing key and its certificate with the `openssl` CLI.
    public static func start(
        users: [String: String], service: String = "evictor-test", issuer: String = "evictor-test-issuer"
    ) async throws -> TokenIssuer {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        do {
            let material = try await makeSigningMaterial(in: work, commonName: issuer)
            let authority = TokenAuthority(
                users: users, service: service, issuer: issuer,
                signingKey: material.key, certificateDER: material.certificateDER
            )
            let server = try await LocalHTTPServer.start { request in authority.route(request) }
            return TokenIssuer(workDirectory: work, certificateFile: material.certificateFile, authority: authority, server: server)
        } catch {
            try? FileManager.default.removeItem(at: work)
            throw error
        }
    }

    /// Starts one, runs `body`, stops it (also when `body` throws).
    public static func with<Result>(users: [String: String], _ body: (TokenIssuer) async throws -> Result) async throws -> Result {
        let issuer = try await start(users: users)
        do {
            let result = try await body(issuer)
            try await issuer.stop()
            return result
        } catch {
            try? await issuer.stop()
            throw error
        }
    }

    /// Stops accepting connections, closes open ones and removes the temporary directory.
    public func stop() async throws {
        defer { try? FileManager.default.removeItem(at: workDirectory) }
        try await server.stop()
    }

    /// Key (PKCS#8 PEM, loaded into swift-crypto), self-signed certificate (PEM file) and its DER.
    private static func makeSigningMaterial(
        in directory: URL, commonName: String
    ) async throws -> (key: P256.Signing.PrivateKey, certificateFile: URL, certificateDER: Data) {
        let ecKey = directory.appendingPathComponent("ec-key.pem").path
        let pkcs8Key = directory.appendingPathComponent("key.pem").path
        let certificate = directory.appendingPathComponent("cert.pem")
        let certificateDER = directory.appendingPathComponent("cert.der").path
        try await ProcessRunner.check("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", ecKey])
        try await ProcessRunner.check("openssl", ["pkcs8", "-topk8", "-nocrypt", "-in", ecKey, "-out", pkcs8Key])
        try await ProcessRunner.check(
            "openssl",
            [
                "req", "-new", "-x509", "-key", pkcs8Key, "-subj", "/CN=\(commonName)", "-days", "2",
                "-sha256", "-out", certificate.path,
            ])
        try await ProcessRunner.check("openssl", ["x509", "-in", certificate.path, "-outform", "DER", "-out", certificateDER])
        let key = try P256.Signing.PrivateKey(pemRepresentation: try String(contentsOfFile: pkcs8Key, encoding: .utf8))
        let der = try Data(contentsOf: URL(fileURLWithPath: certificateDER))
        guard !der.isEmpty else { throw TestSupportError("openssl wrote an empty certificate") }
        return (key, certificate, der)
    }
}

// MARK: - Token authority (shared by all connections)

/// What the token server has seen so far.
struct TokenRequestRecord: Sendable {
    var requests = 0
    var issued = 0
    var scopes: [String] = []
    /// Every token handed out, so a test can search outputs for them.
    var tokens: [String] = []
}

/// One parsed `scope`: `TYPE:NAME:ACTIONS` (the name may itself contain ':' or '/').
struct TokenScope: Sendable, Equatable {
    var type: String
    var name: String
    var actions: [String]

    /// Splits on ':' with the name in the middle; nil unless there are at least three parts.
    init?(_ scope: String) {
        let parts = scope.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, let first = parts.first, let last = parts.last else { return nil }
        let name = parts.dropFirst().dropLast().joined(separator: ":")
        guard !first.isEmpty, !name.isEmpty else { return nil }
        type = first
        self.name = name
        actions = last.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// Checks credentials, signs tokens and records requests; safe to use from any event loop.
final class TokenAuthority: Sendable {
    let users: [String: String]
    let service: String
    let issuer: String
    /// Base64 (standard, padded) DER of the signing certificate, as JOSE `x5c` wants it.
    let certificateBase64: String
    let record = Mutex(TokenRequestRecord())
    private let signingKey: Mutex<P256.Signing.PrivateKey>

    init(users: [String: String], service: String, issuer: String, signingKey: sending P256.Signing.PrivateKey, certificateDER: Data) {
        self.users = users
        self.service = service
        self.issuer = issuer
        self.certificateBase64 = certificateDER.base64EncodedString()
        self.signingKey = Mutex(signingKey)
    }

    /// Answers one request: `GET /token` issues tokens, anything else is an error.
    func route(_ request: LocalHTTPRequest) -> LocalHTTPResponse {
        switch (request.method, request.path) {
        case (.GET, "/token"):
            let (status, headers, body) = respond(uri: request.uri, authorization: request.headers.first(name: "Authorization"))
            return LocalHTTPResponse(status: status, headers: headers, body: body)
        case (_, "/token"):
            return LocalHTTPResponse(
                status: .methodNotAllowed, headers: [("Allow", "GET")], body: Self.errorBody(code: "UNSUPPORTED", message: "only GET is supported"))
        default:
            return LocalHTTPResponse(status: .notFound, body: Self.errorBody(code: "NOT_FOUND", message: "no such endpoint: \(request.path)"))
        }
    }

    /// Whether `Authorization: Basic ...` names a known user with the right password; the user if so.
    func authenticate(_ authorization: String?) -> String? {
        guard let authorization else { return nil }
        let trimmed = authorization.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(of: " "),
            trimmed[..<space].lowercased() == "basic",
            let decoded = Data(base64Encoded: trimmed[space...].trimmingCharacters(in: .whitespaces)),
            let pair = String(data: decoded, encoding: .utf8),
            let colon = pair.firstIndex(of: ":")
        else { return nil }
        let user = String(pair[..<colon])
        let password = String(pair[pair.index(after: colon)...])
        guard let expected = users[user], constantTimeEquals(expected, password) else { return nil }
        return user
    }

    /// Answers one `/token` request: status and JSON body.
    func respond(uri: String, authorization: String?) -> (HTTPResponseStatus, [(String, String)], Data) {
        let query = URLComponents(string: "http://token.invalid\(uri)")?.queryItems ?? []
        let scopes = query.filter { $0.name == "scope" }.compactMap(\.value).flatMap { value in
            // Some clients join several scopes with spaces in one parameter.
            value.split(separator: " ").map(String.init)
        }
        record.withLock {
            $0.requests += 1
            $0.scopes += scopes
        }
        guard let user = authenticate(authorization) else {
            return (
                .unauthorized,
                [("WWW-Authenticate", #"Basic realm="evictor-test-token""#)],
                Self.errorBody(code: "UNAUTHORIZED", message: "authentication required: unknown user or wrong password")
            )
        }
        let requestedService = query.first { $0.name == "service" }?.value
        if let requestedService, requestedService != service {
            return (.badRequest, [], Self.errorBody(code: "DENIED", message: "unknown service \(requestedService)"))
        }
        do {
            let now = Date()
            let token = try makeToken(subject: user, scopes: scopes.compactMap(TokenScope.init), now: now)
            record.withLock {
                $0.issued += 1
                $0.tokens.append(token)
            }
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = TimeZone(identifier: "UTC")
            let body = TokenResponse(token: token, access_token: token, expires_in: Self.lifetime, issued_at: formatter.string(from: now))
            return (.ok, [], try Self.encoder.encode(body))
        } catch {
            return (.internalServerError, [], Self.errorBody(code: "UNKNOWN", message: "cannot sign token: \(error)"))
        }
    }

    /// Seconds a token is valid.
    static let lifetime = 300

    /// An ES256 JWT for `subject` granting every requested action of every scope.
    func makeToken(subject: String, scopes: [TokenScope], now: Date) throws -> String {
        let issuedAt = Int(now.timeIntervalSince1970)
        // Merge repeated scopes for the same resource, keeping the first-seen order.
        var access: [JWTAccess] = []
        for scope in scopes {
            if let index = access.firstIndex(where: { $0.type == scope.type && $0.name == scope.name }) {
                for action in scope.actions where !access[index].actions.contains(action) {
                    access[index].actions.append(action)
                }
            } else {
                var unique: [String] = []
                for action in scope.actions where !unique.contains(action) { unique.append(action) }
                access.append(JWTAccess(type: scope.type, name: scope.name, actions: unique))
            }
        }
        let header = JWTHeader(alg: "ES256", typ: "JWT", x5c: [certificateBase64])
        let claims = JWTClaims(
            iss: issuer, sub: subject, aud: service,
            exp: issuedAt + Self.lifetime, nbf: issuedAt, iat: issuedAt,
            jti: UUID().uuidString.lowercased(), access: access
        )
        let signingInput = Self.base64URL(try Self.encoder.encode(header)) + "." + Self.base64URL(try Self.encoder.encode(claims))
        let signature = try signingKey.withLock { key in
            try key.signature(for: Data(signingInput.utf8)).rawRepresentation
        }
        return signingInput + "." + Self.base64URL(signature)
    }

    /// Base64url without padding (JWS compact serialization).
    static func base64URL(_ data: Data) -> String {
        var text = data.base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// `{"errors":[{"code":...,"message":...}]}`, as Distribution's own errors look.
    static func errorBody(code: String, message: String) -> Data {
        let body = ErrorResponse(errors: [.init(code: code, message: message)])
        return (try? encoder.encode(body)) ?? Data(#"{"errors":[{"code":"UNKNOWN"}]}"#.utf8)
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    private func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(left, right) { difference |= a ^ b }
        return difference == 0
    }
}

// MARK: - Wire formats

/// JOSE header: ES256 with the signing certificate in `x5c`.
struct JWTHeader: Codable, Sendable {
    var alg: String
    var typ: String
    var x5c: [String]
}

/// One `access` entry of the claim set.
struct JWTAccess: Codable, Sendable {
    var type: String
    var name: String
    var actions: [String]
}

/// The claims Distribution checks (`aud` is a single string: Distribution 2.8 rejects an array).
struct JWTClaims: Codable, Sendable {
    var iss: String
    var sub: String
    var aud: String
    var exp: Int
    var nbf: Int
    var iat: Int
    var jti: String
    var access: [JWTAccess]
}

/// The token endpoint's success body (Docker token spec and OAuth2 names both).
struct TokenResponse: Codable, Sendable {
    var token: String
    var access_token: String
    var expires_in: Int
    var issued_at: String
}

/// The token endpoint's error body.
struct ErrorResponse: Codable, Sendable {
    struct Entry: Codable, Sendable {
        var code: String
        var message: String
    }

    var errors: [Entry]
}
