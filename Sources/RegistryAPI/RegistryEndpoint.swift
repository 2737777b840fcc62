import Foundation

/// Where a registry lives: `host[:port]` (HTTPS) or a URL such as `http://127.0.0.1:5000`.
public struct RegistryEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// `https` or `http`.
    public let scheme: String
    /// Host name or IP address (IPv6 without brackets).
    public let host: String
    /// Explicit port, if any.
    public let port: Int?

    /// Parses the CLI's REGISTRY argument. `plainHTTP` switches a bare `host[:port]` to HTTP.
    public init(parsing text: String, plainHTTP: Bool = false) throws(RegistryAPIError) {
        var rest = text.trimmingCharacters(in: .whitespaces)
        var scheme = plainHTTP ? "http" : "https"
        if let range = rest.range(of: "://") {
            let given = rest[..<range.lowerBound].lowercased()
            guard given == "http" || given == "https" else {
                throw .invalidEndpoint(text, reason: "only http:// and https:// are supported")
            }
            scheme = plainHTTP ? "http" : given
            rest = String(rest[range.upperBound...])
        }
        while rest.hasSuffix("/") { rest.removeLast() }
        if rest.hasSuffix("/v2") { rest.removeLast(3) }
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("@"), !rest.contains("?"), !rest.contains("#") else {
            throw .invalidEndpoint(text, reason: "expected host[:port] or http(s)://host[:port]")
        }
        var host = rest
        var port: Int?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .invalidEndpoint(text, reason: "unclosed '[' in IPv6 address") }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { port = Int(after.dropFirst()) } else if !after.isEmpty { port = -1 }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            port = Int(rest[rest.index(after: colon)...])
            if port == nil { port = -1 }
        }
        if let port, !(1...65535).contains(port) {
            throw .invalidEndpoint(text, reason: "port must be a number from 1 to 65535")
        }
        guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == ":" || $0 == "_" }) else {
            throw .invalidEndpoint(text, reason: "invalid host name")
        }
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port
    }

    /// `host[:port]`, the registry's name in messages and credential look-ups.
    public var hostPort: String {
        let shownHost = host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host
        if let port { return "\(shownHost):\(port)" }
        return shownHost
    }

    /// `scheme://host[:port]`.
    public var baseURL: String { "\(scheme)://\(hostPort)" }

    public var description: String { hostPort }
}
