/// Everything that can go wrong talking to a registry, as one line naming the registry and
/// what was asked. Never contains a password or token.
public enum RegistryAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidEndpoint(String, reason: String)
    case invalidName(String, reason: String)
    case unreachable(registry: String, detail: String)
    case unauthorized(registry: String, detail: String)
    case denied(registry: String, what: String)
    case notFound(registry: String, what: String)
    case deletesDisabled(registry: String)
    case digestMismatch(registry: String, what: String, expected: String, actual: String)
    case invalidResponse(registry: String, what: String, detail: String)
    /// A manifest that cannot be used: `storedUnparseable` when the registry itself cannot
    /// parse the stored document (HTTP 500 carrying a JSON syntax error: lasting, and about
    /// that one manifest), else the body did not parse as a manifest here.
    case corruptManifest(registry: String, what: String, detail: String, storedUnparseable: Bool)
    /// A `Docker-Content-Digest` header that is not a digest (perhaps spoiled on the way).
    case invalidDigestHeader(registry: String, what: String)
    case bodyTooLarge(registry: String, what: String, limit: Int)
    case serverError(registry: String, what: String, status: Int, attempts: Int)
    case timeout(registry: String, what: String, attempts: Int)
    /// So many requests in a row gave up after every retry that the rest are not tried.
    case registryDown(registry: String, requests: Int, last: String)
    case credentials(String)

    /// Distribution's own answer for a stored manifest it cannot parse (HTTP 500 carrying a
    /// JSON syntax error): lasting, and about that one manifest.
    public var isUnparseableStoredManifest: Bool {
        if case .corruptManifest(_, _, _, storedUnparseable: true) = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .invalidEndpoint(let text, let reason):
            return "invalid registry '\(text)': \(reason)"
        case .invalidName(let name, let reason):
            return "invalid name '\(name.prefix(200))': \(reason)"
        case .unreachable(let registry, let detail):
            return "registry \(registry): cannot connect: \(detail)"
        case .unauthorized(let registry, let detail):
            return "registry \(registry): authentication failed: \(detail)"
        case .denied(let registry, let what):
            return "registry \(registry): access denied to \(what) (HTTP 403)"
        case .notFound(let registry, let what):
            return "registry \(registry): \(what) not found"
        case .deletesDisabled(let registry):
            return "registry \(registry): deletes are disabled (HTTP 405); set storage.delete.enabled: true and turn off read-only mode"
        case .digestMismatch(let registry, let what, let expected, let actual):
            return "registry \(registry): \(what): content does not match its digest (expected \(expected), got \(actual))"
        case .invalidResponse(let registry, let what, let detail):
            return "registry \(registry): \(what): invalid response: \(detail)"
        case .corruptManifest(let registry, let what, let detail, _):
            return "registry \(registry): \(what): invalid response: corrupt manifest: \(detail)"
        case .invalidDigestHeader(let registry, let what):
            return "registry \(registry): \(what): invalid response: invalid Docker-Content-Digest header"
        case .bodyTooLarge(let registry, let what, let limit):
            return "registry \(registry): \(what): response larger than \(limit) bytes, refused"
        case .serverError(let registry, let what, let status, let attempts):
            return "registry \(registry): \(what): HTTP \(status) after \(attempts) attempt\(attempts == 1 ? "" : "s")"
        case .timeout(let registry, let what, let attempts):
            return "registry \(registry): \(what): timed out after \(attempts) attempt\(attempts == 1 ? "" : "s")"
        case .registryDown(let registry, let requests, let last):
            let reason = last.hasPrefix("registry \(registry): ") ? String(last.dropFirst("registry \(registry): ".count)) : last
            return "registry \(registry): giving up: \(requests) requests in a row failed after every retry (last: \(reason))"
        case .credentials(let detail):
            return "credentials: \(detail)"
        }
    }
}
