/// A parsed `WWW-Authenticate` header: `Basic realm="x"` or
/// `Bearer realm="https://auth/token",service="registry",scope="repository:a:pull"`.
public struct AuthChallenge: Sendable, Equatable {
    public enum Scheme: String, Sendable {
        case basic, bearer
    }

    public var scheme: Scheme
    /// Lower-cased parameter names to values.
    public var parameters: [String: String]

    public var realm: String? { parameters["realm"] }
    public var service: String? { parameters["service"] }
    public var scope: String? { parameters["scope"] }

    /// Parses one header value; nil for schemes Evictor cannot answer.
    public init?(header: String) {
        let trimmed = header.drop(while: { $0 == " " })
        guard let space = trimmed.firstIndex(of: " ") ?? (trimmed.isEmpty ? nil : trimmed.endIndex) else { return nil }
        guard let scheme = Scheme(rawValue: trimmed[..<space].lowercased()) else { return nil }
        self.scheme = scheme
        self.parameters = Self.parseParameters(Array(trimmed[space...].unicodeScalars))
    }

    private static func parseParameters(_ chars: [Unicode.Scalar]) -> [String: String] {
        var result: [String: String] = [:]
        var index = 0
        func skip(_ set: Set<Unicode.Scalar>) { while index < chars.count, set.contains(chars[index]) { index += 1 } }
        while index < chars.count {
            skip([" ", ",", "\t"])
            var name = ""
            while index < chars.count, chars[index] != "=", chars[index] != "," {
                name.unicodeScalars.append(chars[index])
                index += 1
            }
            guard index < chars.count, chars[index] == "=" else { continue }
            index += 1
            var value = ""
            if index < chars.count, chars[index] == "\"" {
                index += 1
                while index < chars.count, chars[index] != "\"" {
                    if chars[index] == "\\", index + 1 < chars.count { index += 1 }
                    value.unicodeScalars.append(chars[index])
                    index += 1
                }
                index += 1
            } else {
                while index < chars.count, chars[index] != "," {
                    value.unicodeScalars.append(chars[index])
                    index += 1
                }
            }
            let key = name.trimmingSpaces().lowercased()
            if !key.isEmpty { result[key] = value.trimmingSpaces() }
        }
        return result
    }
}

extension String {
    func trimmingSpaces() -> String {
        var view = Substring(self)
        while view.first == " " || view.first == "\t" { view.removeFirst() }
        while view.last == " " || view.last == "\t" { view.removeLast() }
        return String(view)
    }
}
