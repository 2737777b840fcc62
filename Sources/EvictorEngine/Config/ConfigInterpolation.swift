/// `${VAR}`, `${VAR:-default}` and `$$` in a config string value.
///
/// `${VAR}` is the variable's value, an error when it is not set; `${VAR:-default}` is the
/// default when VAR is unset or empty (as in Compose); `$$` is one `$`. A `$` followed by
/// anything else stays as it is. Defaults are taken literally (no nested `${...}`).
public enum ConfigInterpolation {
    /// An interpolated string and the variables it read (for masking secrets).
    public struct Result: Sendable, Equatable {
        public var value: String
        public var variables: [String]
    }

    /// Why a string cannot be interpolated.
    public enum Failure: Error, Sendable, Equatable {
        case missingVariable(String)
        case malformed(String)
    }

    public static func interpolate(_ text: String, environment: [String: String]) throws(Failure) -> Result {
        guard text.contains("$") else { return Result(value: text, variables: []) }
        var output = ""
        var variables: [String] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            guard character == "$", next < text.endIndex else {
                output.append(character)
                index = next
                continue
            }
            if text[next] == "$" {
                output.append("$")
                index = text.index(after: next)
                continue
            }
            guard text[next] == "{" else {
                output.append(character)
                index = next
                continue
            }
            let bodyStart = text.index(after: next)
            guard let close = text[bodyStart...].firstIndex(of: "}") else {
                throw .malformed("unterminated ${ in \"\(text)\" (write $$ for a literal $)")
            }
            let body = text[bodyStart..<close]
            let name: Substring
            let fallback: Substring?
            if let separator = body.range(of: ":-") {
                name = body[..<separator.lowerBound]
                fallback = body[separator.upperBound...]
            } else {
                name = body
                fallback = nil
            }
            guard isVariableName(name) else {
                throw .malformed("\"${\(body)}\" is not ${VARIABLE} or ${VARIABLE:-default} (write $$ for a literal $)")
            }
            variables.append(String(name))
            if let value = environment[String(name)], !(fallback != nil && value.isEmpty) {
                output += value
            } else if let fallback {
                output += fallback
            } else {
                throw .missingVariable(String(name))
            }
            index = text.index(after: close)
        }
        return Result(value: output, variables: variables)
    }

    /// Whether `text` is exactly one `${VAR}` (no default, nothing around it): the only way a
    /// password may be written in the file.
    public static func soleVariable(_ text: String) -> String? {
        guard text.hasPrefix("${"), text.hasSuffix("}"), text.count > 3 else { return nil }
        let name = text.dropFirst(2).dropLast()
        return isVariableName(name) ? String(name) : nil
    }

    static func isVariableName(_ name: Substring) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}
