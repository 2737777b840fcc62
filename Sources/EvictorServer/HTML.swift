import Foundation

/// Builds HTML text with every inserted value escaped.
struct HTML {
    private(set) var text = ""

    /// Markup written as is (only literals from this module).
    mutating func raw(_ markup: String) { text += markup }

    /// A value, escaped.
    mutating func add(_ value: String) { text += Self.escape(value) }

    /// `<tag>value</tag>` with attributes written as given (literals only).
    mutating func element(_ tag: String, _ value: String, attributes: String = "") {
        text += "<\(tag)\(attributes.isEmpty ? "" : " " + attributes)>\(Self.escape(value))</\(tag)>"
    }

    static func escape(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default:
                // Control characters (ESC, BEL, bidi overrides) are shown, never interpreted.
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" || (0x202A...0x202E).contains(scalar.value)
                    || (0x2066...0x2069).contains(scalar.value) || scalar.value == 0x7F
                {
                    escaped += String(format: "\\u{%04X}", scalar.value)
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped
    }

    /// A query-string value, percent-encoded.
    static func query(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}
