/// An image reference, parsed and normalised by the distribution reference grammar:
/// `[domain/]path[:tag][@digest]`, with Docker's defaults (`docker.io`, `library/`).
public struct ImageReference: Sendable, Hashable, Comparable, TextCodable {
    /// The registry host, lower-cased: `docker.io`, `registry.example.com:5000`. A host that
    /// only its capitals mark as one (`UPPER/app`: no dot, no port, not `localhost`) keeps
    /// them, or its text would read as a Docker Hub repository (`upper/app`).
    public let domain: String
    /// The repository path inside the registry: `library/nginx`, `shop/web`.
    public let path: String
    public let tag: String?
    public let digest: Digest?

    /// The default registry for names without a domain.
    public static let defaultDomain = "docker.io"

    /// Parses and normalises a reference. Refuses anything the grammar does not allow
    /// (upper-case repositories, bad tags, bad digests, over-long names, empty parts).
    public init(parsing text: String) throws(EvictorCoreError) {
        func refuse(_ reason: String) -> EvictorCoreError { .invalidReference(text, reason: reason) }
        guard !text.isEmpty else { throw refuse("empty") }
        guard text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw refuse("contains spaces, control or non-ASCII characters")
        }
        var rest = Substring(text)
        var digest: Digest?
        if let at = rest.firstIndex(of: "@") {
            do { digest = try Digest(parsing: String(rest[rest.index(after: at)...])) } catch { throw refuse("invalid digest") }
            rest = rest[..<at]
        }
        var tag: String?
        // A tag follows the last ':' only if no '/' comes after it (else it is a port).
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            let candidate = String(rest[rest.index(after: colon)...])
            guard ReferenceGrammar.isValidTag(candidate) else { throw refuse("invalid tag '\(candidate.prefix(130))'") }
            tag = candidate
            rest = rest[..<colon]
        }
        guard !rest.isEmpty else { throw refuse("missing repository name") }
        var domain = Self.defaultDomain
        var path = String(rest)
        if let slash = rest.firstIndex(of: "/") {
            let first = rest[..<slash]
            if first.contains(".") || first.contains(":") || first == "localhost" || first.lowercased() != first {
                guard ReferenceGrammar.isValidDomain(String(first)) else { throw refuse("invalid registry host '\(first)'") }
                let lowered = first.lowercased()
                domain = lowered.contains(".") || lowered.contains(":") || lowered == "localhost" ? lowered : String(first)
                path = String(rest[rest.index(after: slash)...])
            }
        }
        if domain == "index.docker.io" || domain == "registry-1.docker.io" { domain = Self.defaultDomain }
        if domain == Self.defaultDomain, !path.contains("/") { path = "library/" + path }
        guard path.lowercased() == path else { throw refuse("repository name must be lower-case") }
        guard ReferenceGrammar.isValidPath(path) else { throw refuse("invalid repository name '\(path.prefix(260))'") }
        guard domain.utf8.count + 1 + path.utf8.count <= ReferenceGrammar.maxNameLength else {
            throw refuse("name longer than \(ReferenceGrammar.maxNameLength) characters")
        }
        self.domain = domain
        self.path = path
        self.tag = tag
        self.digest = digest
    }

    /// `domain/path`.
    public var name: String { "\(domain)/\(path)" }

    /// The fully qualified form: `domain/path[:tag][@digest]`.
    public var description: String {
        var text = name
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }

    /// Whether this image lives on the registry `hostPort`, or on one of its aliases (another
    /// name for the same registry, such as a load balancer or an old host name).
    public func isOnRegistry(_ hostPort: String, aliases: [String] = []) -> Bool {
        let wanted = ([hostPort] + aliases).map { Self.normaliseDomain($0) }
        return wanted.contains(domain.lowercased())
    }

    /// Lower-cased, Docker Hub's aliases folded, a scheme or trailing slash removed.
    public static func normaliseDomain(_ text: String) -> String {
        var value = text.lowercased()
        if let range = value.range(of: "://") { value = String(value[range.upperBound...]) }
        while value.hasSuffix("/") { value.removeLast() }
        if value == "index.docker.io" || value == "registry-1.docker.io" { return defaultDomain }
        return value
    }

    public static func < (lhs: ImageReference, rhs: ImageReference) -> Bool { lhs.description < rhs.description }
}
